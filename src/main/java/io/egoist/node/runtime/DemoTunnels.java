package io.egoist.node.runtime;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.tunnel.Forward;
import io.egoist.tunnel.Service;
import io.egoist.wire.NodeId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The demo's tunnels: a UDP and a TCP echo service exposed on every node ({@link DemoEchoServers}); after the
 * messages, the two live nodes farthest apart in the matrix get a UDP and a TCP forward through the overlay (the
 * code behind {@code egoist forward}) and the demo measures round trips over them, next to the same echoes
 * reached directly on loopback. Around a crash, both tunnels carry a steady stream of round trips
 * ({@link DemoTunnelStreams}).
 */
public final class DemoTunnels implements AutoCloseable {
    /** Round trips measured per tunnel (after one that warms the path up). */
    static final int ROUND_TRIPS = 20;
    /** How long one UDP round trip may take before it counts as lost, and the TCP client's connect/read timeout. */
    static final int TIMEOUT_MS = 2_000;

    /** Round trips of one kind: how many, how many came back byte-exact, corrupt or not at all, and their times. */
    public record Series(
            int roundTrips, int exact, int corrupt, int lost, double medianMs, double minMs, double maxMs) {}

    /** What the tunnels measured. {@code pathMode} says which route the frames were seen to take (see below). */
    public record Result(
            String from,
            String to,
            NodeId fromId,
            NodeId toId,
            double directRttMs,
            double overlayCostMs,
            double bestCostMs,
            String pathMode,
            List<String> pathThere,
            List<String> pathBack,
            List<String> relays,
            double pathEmulatedRttMs,
            Series udp,
            Series tcp,
            Series udpLoopback,
            Series tcpLoopback,
            String error,
            DemoTunnelStreams.CrashStall crash) {
        Result withCrash(DemoTunnelStreams.CrashStall c) {
            return new Result(
                    from,
                    to,
                    fromId,
                    toId,
                    directRttMs,
                    overlayCostMs,
                    bestCostMs,
                    pathMode,
                    pathThere,
                    pathBack,
                    relays,
                    pathEmulatedRttMs,
                    udp,
                    tcp,
                    udpLoopback,
                    tcpLoopback,
                    error,
                    c);
        }

        static Result failed(String from, String to, NodeId fromId, NodeId toId, double direct, String error) {
            return new Result(
                    from,
                    to,
                    fromId,
                    toId,
                    direct,
                    Double.NaN,
                    Double.NaN,
                    "unknown",
                    List.of(),
                    List.of(),
                    List.of(),
                    Double.NaN,
                    null,
                    null,
                    null,
                    null,
                    error,
                    null);
        }
    }

    private final DemoEchoServers echo = new DemoEchoServers();
    private int udpPort = -1, tcpPort = -1;
    private LatencyMatrix lastMatrix;
    private int from = -1, to = -1;
    private final List<Integer> relays = new ArrayList<>();
    /** Forwards in mode overlay for the crash when the best routes have no relay (-1: none). */
    private int crashUdpPort = -1, crashTcpPort = -1;

    private final List<String> crashRelays = new ArrayList<>();

    /** The services every node of the demo exposes. */
    public List<Service> services() {
        return echo.services();
    }

    /** The two live nodes with the largest direct RTT of the matrix (lowest indices on a tie). */
    static int[] farthest(LatencyMatrix m, List<Integer> live) {
        int[] best = null;
        for (int a : live)
            for (int b : live)
                if (a < b && (best == null || m.rtt(a, b) > m.rtt(best[0], best[1]))) best = new int[] {a, b};
        return best;
    }

    /** Forwards a UDP and a TCP port from one far node to the other and measures round trips over both. */
    public Result measure(LocalOverlay o) {
        LatencyMatrix m = o.matrix();
        lastMatrix = m;
        int[] pair = farthest(m, o.liveIndices());
        from = pair[0];
        to = pair[1];
        EgoistNode a = o.node(from), b = o.node(to);
        String fromName = m.names().get(from), toName = m.names().get(to);
        double direct = m.rtt(from, to);
        try {
            udpPort = forward(a, b.id(), "udp", DemoEchoServers.UDP_SERVICE);
            tcpPort = forward(a, b.id(), "tcp", DemoEchoServers.TCP_SERVICE);
        } catch (RuntimeException e) {
            Throwable t = e.getCause() != null ? e.getCause() : e;
            return Result.failed(fromName, toName, a.id(), b.id(), direct, "cannot forward: " + t.getMessage());
        }
        long[] before = relayed(o);
        Series udpLoop, tcpLoop, udp, tcp;
        try {
            // the first frames take the overlay route while the direct links of the best routes open (both ends)
            series(DemoRoundTrips.udp(udpPort, TIMEOUT_MS, 5));
            awaitBestTables(a, b.id());
            awaitBestTables(b, a.id());
            before = relayed(o);
            udpLoop = series(DemoRoundTrips.udp(echo.udpPort(), TIMEOUT_MS, 1));
            tcpLoop = series(DemoRoundTrips.tcp(echo.tcpPort(), TIMEOUT_MS, 2));
            udp = series(DemoRoundTrips.udp(udpPort, TIMEOUT_MS, 3));
            tcp = series(DemoRoundTrips.tcp(tcpPort, TIMEOUT_MS, 4));
        } catch (IOException e) {
            return Result.failed(fromName, toName, a.id(), b.id(), direct, "cannot connect: " + e.getMessage());
        }
        long[] after = relayed(o);
        for (int i = 0; i < before.length; i++) if (after[i] > before[i]) relays.add(i);
        Optional<Route> overThere = route(a, b.id(), RouteMode.OVERLAY), overBack = route(b, a.id(), RouteMode.OVERLAY);
        Optional<Route> bestThere = route(a, b.id(), RouteMode.BEST), bestBack = route(b, a.id(), RouteMode.BEST);
        // which routes the frames took, from the relays that counted them (tunnels may use either mode)
        String mode = "unknown";
        List<NodeId> there = List.of(), back = List.of();
        if (matches(o, overThere, overBack)) {
            mode = "overlay";
            there = overThere.get().path();
            back = overBack.get().path();
        } else if (matches(o, bestThere, bestBack)) {
            mode = "best";
            there = bestThere.get().path();
            back = bestBack.get().path();
        }
        List<String> relayNames = new ArrayList<>();
        for (int i : relays) relayNames.add(m.names().get(i));
        double emulated = mode.equals("unknown") ? Double.NaN : oneWay(o, there) + oneWay(o, back);
        return new Result(
                fromName,
                toName,
                a.id(),
                b.id(),
                direct,
                overThere.map(Route::cost).orElse(Double.NaN),
                bestThere.map(Route::cost).orElse(Double.NaN),
                mode,
                names(o, there),
                names(o, back),
                relayNames,
                emulated,
                udp,
                tcp,
                udpLoop,
                tcpLoop,
                null,
                null);
    }

    /** The node to crash for the tunnels: the first relay on their way there, else any relay; -1 if none. */
    public int victim(LocalOverlay o, Result r) {
        if (r == null || r.error() != null) return -1;
        for (String name : r.pathThere()
                .subList(Math.min(1, r.pathThere().size()), r.pathThere().size())) {
            int i = o.matrix().names().indexOf(name);
            if (relays.contains(i) && o.isAlive(i)) return i;
        }
        for (int i : relays) if (o.isAlive(i)) return i;
        return overlayVictim(o);
    }

    /**
     * The best routes of the farthest pair are often direct (no relay to crash): then the crash is shown on two more
     * forwards between the same nodes in mode overlay, whose route has relays; the victim is its first live relay.
     */
    private int overlayVictim(LocalOverlay o) {
        EgoistNode a = o.node(from), b = o.node(to);
        Optional<Route> there = route(a, b.id(), RouteMode.OVERLAY), back = route(b, a.id(), RouteMode.OVERLAY);
        if (there.isEmpty() || there.get().path().size() < 3) return -1;
        try {
            crashUdpPort = forward(a, b.id(), "udp", DemoEchoServers.UDP_SERVICE, RouteMode.OVERLAY);
            crashTcpPort = forward(a, b.id(), "tcp", DemoEchoServers.TCP_SERVICE, RouteMode.OVERLAY);
        } catch (RuntimeException e) {
            crashUdpPort = crashTcpPort = -1;
            return -1;
        }
        List<NodeId> inner =
                new ArrayList<>(there.get().path().subList(1, there.get().path().size() - 1));
        back.ifPresent(r -> inner.addAll(r.path().subList(1, r.path().size() - 1)));
        for (NodeId id : inner) if (!crashRelays.contains(o.nameOf(id))) crashRelays.add(o.nameOf(id));
        for (NodeId id : inner) {
            int i = o.indexOf(id);
            if (i >= 0 && o.isAlive(i)) return i;
        }
        return -1;
    }

    /** Whether the crash streams run over forwards in mode overlay (the best routes had no relay). */
    public boolean crashOverOverlay() {
        return crashUdpPort >= 0;
    }

    /** The routing mode of the forwards the crash streams use, and their relays (see {@link #overlayVictim}). */
    public DemoTunnelStreams.CrashStall describe(DemoTunnelStreams.CrashStall c) {
        if (crashUdpPort < 0) return c.with("best", List.copyOf(new LinkedHashSet<>(relayNames(c))));
        return c.with("overlay", List.copyOf(crashRelays));
    }

    private List<String> relayNames(DemoTunnelStreams.CrashStall c) {
        List<String> r = new ArrayList<>();
        for (int i : relays)
            r.add(lastMatrix == null ? String.valueOf(i) : lastMatrix.names().get(i));
        return r;
    }

    /** Steady streams of round trips over both tunnels (null when the tunnels could not be set up). */
    public DemoTunnelStreams streams(Result r) {
        if (r == null || r.error() != null) return null;
        double expected = Math.max(r.udp().medianMs(), r.tcp().medianMs());
        if (crashUdpPort >= 0)
            return DemoTunnelStreams.start(crashUdpPort, crashTcpPort, Math.max(expected, r.overlayCostMs()));
        return DemoTunnelStreams.start(udpPort, tcpPort, expected);
    }

    /** Whether the relays that counted frames are exactly the inner nodes of these two routes. */
    private boolean matches(LocalOverlay o, Optional<Route> there, Optional<Route> back) {
        if (there.isEmpty() || back.isEmpty()) return false;
        Set<Integer> inner = new HashSet<>();
        for (List<NodeId> path : List.of(there.get().path(), back.get().path()))
            for (int h = 1; h + 1 < path.size(); h++) inner.add(o.indexOf(path.get(h)));
        return inner.equals(new LinkedHashSet<>(relays));
    }

    /**
     * Waits (at most 5 s) until {@code n}'s tunnel tables send best-mode frames for {@code to} on the best route's
     * first hop (an out-link, or a direct link once it is up); afterwards the round trips are timed.
     */
    private static void awaitBestTables(EgoistNode n, NodeId to) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                boolean ready = n.query(c -> io.egoist.tunnel.ForwardingTable.tables(c, Set.of(to))
                                .best()
                                .containsKey(to))
                        .get(5, TimeUnit.SECONDS);
                if (ready) {
                    n.tunnels().refreshNow().get(5, TimeUnit.SECONDS);
                    return;
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                return;
            }
        }
    }

    private static Optional<Route> route(EgoistNode n, NodeId to, RouteMode mode) {
        try {
            return n.route(to, mode).orTimeout(5, TimeUnit.SECONDS).join();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The emulated one-way delay along {@code path}: half the matrix RTT of each hop. */
    static double oneWay(LocalOverlay o, List<NodeId> path) {
        double sum = 0;
        for (int h = 0; h + 1 < path.size(); h++) {
            int i = o.indexOf(path.get(h)), j = o.indexOf(path.get(h + 1));
            if (i < 0 || j < 0) return Double.NaN;
            sum += o.matrix().rtt(i, j) / 2;
        }
        return sum;
    }

    private static List<String> names(LocalOverlay o, List<NodeId> path) {
        List<String> r = new ArrayList<>();
        for (NodeId id : path) r.add(o.nameOf(id));
        return r;
    }

    private static int forward(EgoistNode a, NodeId to, String proto, String service) {
        return forward(a, to, proto, service, RouteMode.BEST);
    }

    private static int forward(EgoistNode a, NodeId to, String proto, String service, RouteMode mode) {
        Forward.Info info = a.tunnels()
                .addForward(new Forward.Spec(Service.Endpoint.parse(proto + ":127.0.0.1:0"), to, service, mode))
                .orTimeout(15, TimeUnit.SECONDS)
                .join();
        return Service.Endpoint.parse(info.listen()).port();
    }

    /** Frames relayed so far by each node (0 for dead ones). */
    private static long[] relayed(LocalOverlay o) {
        long[] r = new long[o.nodes().size()];
        for (int i = 0; i < r.length; i++)
            if (o.isAlive(i)) r[i] = o.node(i).tunnels().counters()[0];
        return r;
    }

    /** One warm-up round trip (the first opens the session or stream), then {@link #ROUND_TRIPS} timed ones. */
    private static Series series(DemoRoundTrips.Client c) {
        try (c) {
            long seq = 0;
            for (int i = 0; i < 5 && c.roundTrip(seq++) != DemoRoundTrips.Outcome.EXACT; i++) {
                // the first datagrams may be held while the exit opens its socket; try again
            }
            double[] times = new double[ROUND_TRIPS];
            int exact = 0, corrupt = 0, lost = 0;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t0 = System.nanoTime();
                DemoRoundTrips.Outcome r = c.roundTrip(seq++);
                double ms = (System.nanoTime() - t0) / 1e6;
                switch (r) {
                    case EXACT -> times[exact++] = ms;
                    case CORRUPT -> corrupt++;
                    default -> lost++;
                }
            }
            double[] ok = Arrays.copyOf(times, exact);
            Arrays.sort(ok);
            return new Series(
                    ROUND_TRIPS,
                    exact,
                    corrupt,
                    lost,
                    exact == 0 ? Double.NaN : ok[exact / 2],
                    exact == 0 ? Double.NaN : ok[0],
                    exact == 0 ? Double.NaN : ok[exact - 1]);
        }
    }

    @Override
    public void close() {
        echo.close();
    }
}
