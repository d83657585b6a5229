package io.egoist.tunnel;

import io.egoist.node.NodeConfig;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.DataPortLimits;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.EchoServer;
import io.egoist.runtime.Netty;
import io.egoist.runtime.OutboundDelay;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A tracker and {@code n} separate nodes on loopback (each with its own event loop) wired as a ring, so that
 * node 0's route to node n-1 runs through every node in between: lines from a node to any node but its
 * successor are delayed by {@link #DETOUR_MS} (see {@link OutboundDelay}), k = 1, BR. Tunnel frames are never
 * delayed. For the tunnel tests and {@code egoist bench tunnel}.
 */
public final class TunnelPath implements AutoCloseable {
    /** Emulated one-way delay of every link but the ring's (lines only). */
    public static final double DETOUR_MS = 100;

    private final Path dir;
    private final TrackerServer tracker;
    private final List<EgoistNode> nodes = new ArrayList<>();
    /** Main and echo port to node index, filled as the nodes start. */
    private final Map<Integer, Integer> indexByPort = new ConcurrentHashMap<>();
    /** Each node's own NIO loop when NIO is forced (shut down at close), else empty: the nodes make their own. */
    private final List<EventLoopGroup> nioGroups = new ArrayList<>();

    private final boolean nio;

    private TunnelPath(Path dir, TrackerServer tracker, boolean nio) {
        this.dir = dir;
        this.tracker = tracker;
        this.nio = nio;
    }

    /**
     * Starts the tracker and {@code n} nodes; {@code exposed.get(i)} are node i's services (may be absent). The
     * ports are chosen before the nodes start, so another process may take one meanwhile: then it starts afresh
     * (at most three times).
     */
    public static TunnelPath start(int n, Map<Integer, List<Service>> exposed, TunnelLimits limits) {
        return start(n, exposed, limits, false);
    }

    /**
     * As {@link #start(int, Map, TunnelLimits)}; with {@code nio} every node runs on its own NIO loop (as with
     * {@code -Degoist.transport=nio}), else on the nodes' default (epoll where it loads).
     */
    public static TunnelPath start(int n, Map<Integer, List<Service>> exposed, TunnelLimits limits, boolean nio) {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(n, exposed, limits, nio);
            } catch (IllegalStateException e) {
                if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("cannot bind")) throw e;
            }
        }
    }

    private static TunnelPath startOnce(int n, Map<Integer, List<Service>> exposed, TunnelLimits limits, boolean nio) {
        Path dir;
        try {
            dir = Files.createTempDirectory("egoist-tunnels-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TrackerServer t = TrackerServer.start(
                new TrackerConfig("127.0.0.1", 0, dir.resolve("tracker"), -1, 2_000, 30_000, 1_000));
        TunnelPath p = new TunnelPath(dir, t, nio);
        try {
            // every port is known before the first probe, so no node ever measures a ring link as a detour
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ports[i] = freePair(p.indexByPort.keySet());
                p.indexByPort.put(ports[i], i);
                p.indexByPort.put(ports[i] + 1, i);
            }
            for (int i = 0; i < n; i++) p.startNode(i, n, ports[i], exposed.getOrDefault(i, List.of()), limits);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * Short periods, heartbeats 300 ms x 5, k = 2 (k = 1 with more than 2 nodes: the pair): each node keeps its
     * ring link, the cheapest, plus one detour, so any first wiring converges to the ring (with k = 1 every ring
     * is an equilibrium: leaving one would cut a node off), and a relay's death leaves every node a link.
     */
    public static NodeConfig config(int trackerPort, int nodes) {
        return NodeConfig.defaults(new NodeId("127.0.0.1", 1), "127.0.0.1", trackerPort)
                .withK(nodes > 2 ? 2 : 1)
                .withPingPeriodMs(400)
                .withPingTimeoutMs(1_000)
                .withFirstProbeDelayMs(20)
                .withRewirePeriodMs(500)
                .withHeartbeatPeriodMs(300)
                .withHeartbeatMisses(5)
                .withTrackerRetryMs(100, 500)
                .withTrackerRefreshMs(1_000)
                .withAnnounceRefreshMs(1_000);
    }

    /** A port P such that P and P+1 are free now (both bound once and released). */
    private static int freePair(java.util.Set<Integer> taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (java.net.ServerSocket a = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int port = a.getLocalPort();
                if (port >= 65535 || taken.contains(port) || taken.contains(port + 1)) continue;
                try (java.net.ServerSocket b =
                        new java.net.ServerSocket(port + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return port;
                }
            } catch (IOException e) {
                // P+1 taken: another try
            }
        }
        throw new IllegalStateException("no free port pair found");
    }

    private void startNode(int i, int n, int port, List<Service> services, TunnelLimits limits) {
        OutboundDelay ring = (host, peerPort) -> {
            Integer j = indexByPort.get(peerPort);
            return j != null && j == (i + 1) % n ? 0 : DETOUR_MS;
        };
        EventLoopGroup group = null;
        if (nio) {
            group = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("node-nio", true), NioIoHandler.newFactory());
            nioGroups.add(group);
        }
        EgoistNode node = EgoistNode.start(
                config(tracker.port(), n).withSelf(new NodeId("127.0.0.1", port)),
                new EgoistNode.Options()
                        .group(group)
                        .bindHost("127.0.0.1")
                        .delay(ring)
                        .expose(services)
                        .tunnelLimits(limits)
                        .echoLimits(new EchoServer.Limits()
                                .maxConnections(
                                        EchoServer.Limits.DEFAULT_MAX_CONNECTIONS,
                                        EchoServer.Limits.DEFAULT_MAX_CONNECTIONS))
                        .dataLimits(new DataPortLimits()
                                .maxConnections(
                                        DataPortLimits.DEFAULT_MAX_CONNECTIONS,
                                        DataPortLimits.DEFAULT_MAX_CONNECTIONS)));
        nodes.add(node);
    }

    public EgoistNode node(int i) {
        return nodes.get(i);
    }

    public int size() {
        return nodes.size();
    }

    /**
     * True when node 0's route to the last node runs through every node in order, the last node routes back to
     * node 0, and both tunnel planes have taken those routes (call it until it is true).
     */
    public boolean ready() {
        int last = nodes.size() - 1;
        try {
            Optional<RouteInfo> there = nodes.get(0).route(nodes.get(last).id()).get(5, TimeUnit.SECONDS);
            Optional<RouteInfo> back = nodes.get(last).route(nodes.get(0).id()).get(5, TimeUnit.SECONDS);
            if (there.isEmpty() || back.isEmpty() || there.get().path().size() != nodes.size()) return false;
            for (EgoistNode node : nodes) node.tunnels().refreshNow().get(5, TimeUnit.SECONDS);
            for (int i = 0; i < last; i++) {
                if (!nodes.get(i).tunnels().hasRoute(nodes.get(last).id())) return false;
            }
            return nodes.get(last).tunnels().hasRoute(nodes.get(0).id());
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits (polling) until {@link #ready}; false after {@code timeoutMs}. */
    public boolean awaitReady(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (ready()) return true;
            Thread.sleep(200);
        }
        return false;
    }

    /** Each node's neighbors, route to the last node and tunnel next hops (for failure messages). */
    public String describe() {
        StringBuilder b = new StringBuilder();
        NodeId last = nodes.get(nodes.size() - 1).id();
        for (int i = 0; i < nodes.size(); i++) {
            EgoistNode n = nodes.get(i);
            try {
                b.append(i)
                        .append(' ')
                        .append(n.id())
                        .append(" neighbors=")
                        .append(n.query(c -> c.neighbors()).get(5, TimeUnit.SECONDS))
                        .append(" route=")
                        .append(n.route(i == nodes.size() - 1 ? nodes.get(0).id() : last)
                                .get(5, TimeUnit.SECONDS)
                                .map(RouteInfo::path)
                                .orElse(null))
                        .append(" features=")
                        .append(n.query(c -> c.neighbors().stream()
                                        .map(c::featuresOf)
                                        .toList())
                                .get(5, TimeUnit.SECONDS))
                        .append('\n');
            } catch (Exception e) {
                b.append(i).append(" no answer: ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (EgoistNode n : nodes) n.mute();
        for (EgoistNode n : nodes) n.close();
        for (EventLoopGroup g : nioGroups) Netty.shutdown(g);
        tracker.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
