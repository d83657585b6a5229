package io.egoist.web.map;

import io.egoist.node.NodeCore;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.HttpJsonServer;
import io.egoist.web.events.EventHub;
import io.egoist.wire.NodeId;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's own live map, on its control address: the overlay as this node sees it (its link-state view: every
 * node it knows with the links that node announced, and which ones its probes found dead), its routes, and
 * its re-wirings.
 *
 * <p>While someone watches, the map reads the node's view once every {@link #POLL_MS} ms (one short read on
 * the node's core thread) and publishes what changed: {@code join}, {@code update}, {@code suspect} (a node
 * this node now believes dead), {@code remove} (a node it forgot), and {@code rewire} (its own neighbor set
 * changed: {@code old} and {@code new}).
 */
public final class NodeMap implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeMap.class);

    /** How often the node's view is compared with the last one while somebody watches. */
    public static final long POLL_MS = 1_000;

    private record Read(MapView view, List<NodeId> neighbors) {}

    private final EgoistNode node;
    private final EventHub hub;
    private final ScheduledExecutorService poller =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("egoist-node-map", true));
    private Map<NodeId, MapView.Node> last; // poller thread only; null while nobody watches
    private List<NodeId> lastNeighbors = List.of();
    private boolean reading;

    private NodeMap(EgoistNode node) {
        this.node = node;
        this.hub = new EventHub(
                EventHub.Limits.DEFAULTS, () -> read().thenApply(r -> MapJson.snapshot(r.view(), id -> null)));
        poller.scheduleWithFixedDelay(this::poll, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    }

    /** Serves {@code node}'s map on its control API (register before it listens). */
    public static NodeMap install(HttpJsonServer http, EgoistNode node) {
        NodeMap map = new NodeMap(node);
        MapRoutes.install(http, map.hub, () -> map.read().thenApply(Read::view));
        return map;
    }

    public EventHub hub() {
        return hub;
    }

    private CompletableFuture<Read> read() {
        return node.query(NodeMap::read);
    }

    private static Read read(NodeCore core) {
        NodeId self = core.id();
        Set<NodeId> live = core.liveNodes();
        List<MapView.Node> nodes = new ArrayList<>();
        nodes.add(new MapView.Node(self, -1, false, false, core.linksOf(self)));
        for (NodeId id : core.knownNodes()) {
            nodes.add(new MapView.Node(id, -1, false, !live.contains(id), core.linksOf(id)));
        }
        return new Read(new MapView("node", self, nodes), core.neighbors());
    }

    private void poll() {
        if (hub.subscriberCount() == 0) {
            last = null;
            return;
        }
        if (reading) return;
        reading = true;
        read().orTimeout(5, TimeUnit.SECONDS)
                .whenComplete((r, err) -> poller.execute(() -> {
                    reading = false;
                    if (err != null) {
                        log.debug("event=node-map-read-failed reason={}", err.toString());
                        return;
                    }
                    publishChanges(r);
                }));
    }

    private void publishChanges(Read r) {
        Map<NodeId, MapView.Node> now = new LinkedHashMap<>();
        for (MapView.Node n : r.view().nodes()) now.put(n.id(), n);
        // the first read after somebody started watching: everything as an update (the snapshot may be older)
        Map<NodeId, MapView.Node> before = last == null ? new HashMap<>() : last;
        boolean fresh = last == null;
        for (MapView.Node n : now.values()) {
            MapView.Node prev = before.get(n.id());
            if (n.equals(prev)) continue;
            String type = fresh ? "update" : prev == null ? "join" : n.dead() && !prev.dead() ? "suspect" : "update";
            hub.publish(type, () -> MapJson.node(n, id -> null));
        }
        for (NodeId gone : before.keySet()) {
            if (!now.containsKey(gone)) hub.publish("remove", () -> Map.of("id", gone.toString()));
        }
        if (!fresh && !r.neighbors().equals(lastNeighbors)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.view().self().toString());
            m.put("old", lastNeighbors.stream().map(NodeId::toString).toList());
            m.put("new", r.neighbors().stream().map(NodeId::toString).toList());
            hub.publish("rewire", () -> m);
        }
        last = now;
        lastNeighbors = r.neighbors();
    }

    @Override
    public void close() {
        poller.shutdownNow();
        hub.close();
    }
}
