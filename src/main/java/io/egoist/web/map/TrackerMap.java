package io.egoist.web.map;

import io.egoist.core.Effect;
import io.egoist.runtime.HttpJsonServer;
import io.egoist.tracker.TrackerEffect;
import io.egoist.tracker.TrackerNode;
import io.egoist.tracker.TrackerSnapshot;
import io.egoist.web.events.EventHub;
import io.egoist.wire.NodeId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The tracker's live map: turns the core's persistence effects into map events and serves the page.
 *
 * <p>{@link #accept} runs on the tracker's core thread, once per effect: a hash-map lookup tells a join (a node
 * not seen before) from an update, and a suspect flag turning on from other updates; the event carries the
 * effect's immutable node, and is serialised later on the event hub's thread.
 */
public final class TrackerMap implements Consumer<Effect>, AutoCloseable {
    private final Map<NodeId, Boolean> suspect = new HashMap<>(); // core thread only
    private volatile EventHub hub;
    private volatile Function<NodeId, String> names = id -> null;

    /** @param initial the overlay the core starts from */
    public TrackerMap(TrackerSnapshot initial) {
        for (TrackerNode n : initial.nodes()) suspect.put(n.id(), n.suspect());
    }

    /** Serves the map on {@code http}; {@code snapshots} reads the core's overlay (on its thread). */
    public void install(HttpJsonServer http, Supplier<? extends CompletionStage<TrackerSnapshot>> snapshots) {
        Supplier<CompletionStage<MapView>> views = () -> snapshots.get().thenApply(TrackerMap::view);
        hub = new EventHub(EventHub.Limits.DEFAULTS, () -> views.get().thenApply(v -> MapJson.snapshot(v, names)));
        MapRoutes.install(http, hub, views);
    }

    /** Names to show for nodes (e.g. the demo's countries); null for none. */
    public void names(Function<NodeId, String> names) {
        this.names = names;
    }

    /** The event hub, once installed (for tests). */
    public EventHub hub() {
        return hub;
    }

    @Override
    public void accept(Effect effect) {
        EventHub h = hub;
        if (effect instanceof TrackerEffect.PersistNode p) {
            TrackerNode n = p.node();
            Boolean was = suspect.put(n.id(), n.suspect());
            String type = was == null ? "join" : n.suspect() && !was ? "suspect" : "update";
            if (h != null) h.publish(type, () -> MapJson.node(node(n), names));
        } else if (effect instanceof TrackerEffect.DeleteNode d) {
            suspect.remove(d.id());
            if (h != null) h.publish("remove", () -> Map.of("id", d.id().toString()));
        }
    }

    static MapView view(TrackerSnapshot s) {
        List<MapView.Node> nodes = s.nodes().stream().map(TrackerMap::node).toList();
        return new MapView("tracker", null, nodes);
    }

    private static MapView.Node node(TrackerNode n) {
        return new MapView.Node(n.id(), n.lastSeenMs(), n.suspect(), false, n.links());
    }

    @Override
    public void close() {
        if (hub != null) hub.close();
    }
}
