package io.egoist.node.runtime;

import io.egoist.core.ConnId;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeStatus;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.tunnel.Forward;
import io.egoist.tunnel.ForwardingTable;
import io.egoist.tunnel.Service;
import io.egoist.wire.NodeId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Measured tunnel round trips in both routing modes ({@code egoist bench routes --measure}): real nodes on loopback
 * (a {@link LocalOverlay}) with the RIPE matrix's latencies emulated for lines and frames, a UDP echo exposed on
 * every node. Once the overlay has converged, for a sample of ordered pairs (spread over the matrix's RTTs,
 * deterministic from the seed) the source gets a UDP forward to the destination's echo in mode best and one in mode
 * overlay, and the median of a few echoes over each is measured, next to the emulated direct RTT, the source's own
 * measured RTT to the destination, the full mesh's shortest path and the routes' costs. Pairs are measured one
 * after the other, so the relays that counted frames during a series are the ones its frames took. A figure, not
 * a test.
 */
public final class RouteTunnelBench {
    public static final int DEFAULT_PAIRS = 10;
    public static final int DEFAULT_ECHOES = 5;
    public static final int DEFAULT_CONVERGE_SECONDS = 120;
    /** The overlay counts as converged once no node changed its neighbors for this long (two re-wiring periods). */
    static final double SETTLE_SECONDS = 6;
    /** An echo not back within this long counts as lost. */
    static final int ECHO_TIMEOUT_MS = 3_000;
    /** Failed echoes before the timed ones (the first datagrams open the sessions) at most. */
    static final int WARM_UP = 5;

    private RouteTunnelBench() {}

    public record Settings(int nodes, int k, long seed, int pairs, int echoes, int convergeSeconds) {}

    /**
     * One routing mode of one pair. {@code costMs}: the source's route cost (its measured RTTs); {@code pricedMs}:
     * the round trip the emulation gives along the route there and the destination's route back in the same mode
     * (half the matrix RTT per hop); {@code firstHop}: the source's route's first hop after the echoes, and {@code
     * firstHopStable} whether it was the same before them; {@code tableFirstHop}: the peer whose connection the
     * source's tunnel tables send this mode's frames on; {@code directCostMs}: the source's measured RTT to the destination
     * when it read the route; {@code relays}: the nodes that relayed frames during the
     * echoes; {@code relaysMatchRoutes}: whether they are the inner nodes of the two routes.
     */
    public record Mode(
            String mode,
            List<String> path,
            List<String> pathBack,
            double costMs,
            double directCostMs,
            double pricedMs,
            String firstHop,
            String firstHopOver,
            boolean firstHopStable,
            String tableFirstHop,
            List<String> relays,
            boolean relaysMatchRoutes,
            int echoes,
            int exact,
            int lost,
            double medianMs,
            double minMs,
            double maxMs) {}

    /** One sampled pair; {@code error} is set (and the modes may be null) when it could not be measured. */
    public record Pair(
            String from,
            String to,
            String fromId,
            String toId,
            double directMs,
            double measuredDirectMs,
            double fullMeshMs,
            Mode best,
            Mode overlay,
            String error) {
        boolean measured() {
            return error == null && best.exact() > 0 && overlay.exact() > 0;
        }
    }

    /**
     * The run. Means over the pairs measured in both modes ({@code measuredPairs}); {@code all*}: every ordered
     * pair's route read from the live nodes after convergence, priced at the matrix RTTs along its path (as {@code
     * bench routes} without {@code --measure} does under virtual time).
     */
    public record Result(
            int nodes,
            int k,
            long seed,
            int echoes,
            boolean converged,
            double convergedAfterSeconds,
            double wallSeconds,
            List<Pair> pairs,
            int measuredPairs,
            double meanMeasuredBest,
            double meanMeasuredOverlay,
            double meanDirect,
            double meanMeasuredDirect,
            double meanFullMesh,
            double meanPricedBest,
            double meanPricedOverlay,
            int allPairs,
            double allMeanBest,
            double allMeanOverlay,
            double allMeanFullMesh,
            double allMeanDirect) {}

    public static Result run(Settings s, Consumer<String> progress) {
        long t0 = System.nanoTime();
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LatencyMatrix m = ripe.subset(Demo.spreadOut(ripe, s.nodes()));
        try (DemoEchoServers echo = new DemoEchoServers();
                LocalOverlay o = LocalOverlay.start(new LocalOverlay.Settings()
                        .matrix(m)
                        .k(s.k())
                        .seed(s.seed())
                        .nodeOptions((i, opts) -> opts.expose(echo.services())))) {
            progress.accept(String.format(
                    Locale.ROOT,
                    "%d nodes up on 127.0.0.1 (k=%d, BR, RIPE latencies emulated): %s",
                    s.nodes(),
                    s.k(),
                    String.join(" ", m.names())));
            double convergedAt = awaitConvergence(o, s.convergeSeconds(), progress, t0);
            Graph mesh = new Graph(m.size());
            for (int i = 0; i < m.size(); i++)
                for (int j = 0; j < m.size(); j++) if (i != j) mesh.setEdge(i, j, m.rtt(i, j));
            double[][] meshDist = new double[m.size()][];
            for (int i = 0; i < m.size(); i++) meshDist[i] = ShortestPaths.distances(mesh, i);
            double[] all = allPairs(o, meshDist);
            List<int[]> sample = samplePairs(m, s.pairs(), s.seed());
            List<Pair> pairs = new ArrayList<>();
            for (int x = 0; x < sample.size(); x++) {
                int a = sample.get(x)[0], b = sample.get(x)[1];
                Pair p = measure(o, a, b, s.echoes(), s.seed() * 31 + x, meshDist[a][b]);
                pairs.add(p);
                progress.accept(String.format(
                        Locale.ROOT,
                        "pair %d/%d %s -> %s: direct %.1f ms, best %s, overlay %s",
                        x + 1,
                        sample.size(),
                        p.from(),
                        p.to(),
                        p.directMs(),
                        p.best() == null
                                ? p.error()
                                : String.format(Locale.ROOT, "%.1f ms", p.best().medianMs()),
                        p.overlay() == null
                                ? "-"
                                : String.format(
                                        Locale.ROOT, "%.1f ms", p.overlay().medianMs())));
            }
            List<Pair> ok = pairs.stream().filter(Pair::measured).toList();
            return new Result(
                    s.nodes(),
                    s.k(),
                    s.seed(),
                    s.echoes(),
                    convergedAt >= 0,
                    convergedAt,
                    (System.nanoTime() - t0) / 1e9,
                    pairs,
                    ok.size(),
                    mean(ok, p -> p.best().medianMs()),
                    mean(ok, p -> p.overlay().medianMs()),
                    mean(ok, Pair::directMs),
                    mean(ok, Pair::measuredDirectMs),
                    mean(ok, Pair::fullMeshMs),
                    mean(ok, p -> p.best().pricedMs()),
                    mean(ok, p -> p.overlay().pricedMs()),
                    (int) all[4],
                    all[0],
                    all[1],
                    all[2],
                    all[3]);
        }
    }

    private static double mean(List<Pair> ps, java.util.function.ToDoubleFunction<Pair> f) {
        return ps.stream()
                .mapToDouble(f)
                .filter(v -> !Double.isNaN(v))
                .average()
                .orElse(Double.NaN);
    }

    /**
     * {@code n} ordered pairs spread over the matrix's RTTs: all ordered pairs sorted by RTT, cut into {@code n}
     * strata of (nearly) equal size, one pair drawn from each with the seed.
     */
    static List<int[]> samplePairs(LatencyMatrix m, int n, long seed) {
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) for (int j = 0; j < m.size(); j++) if (i != j) all.add(new int[] {i, j});
        all.sort(Comparator.<int[]>comparingDouble(p -> m.rtt(p[0], p[1]))
                .thenComparingInt(p -> p[0])
                .thenComparingInt(p -> p[1]));
        int take = Math.min(n, all.size());
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < take; s++) {
            int lo = (int) ((long) s * all.size() / take), hi = (int) ((long) (s + 1) * all.size() / take);
            out.add(all.get(lo + r.nextInt(hi - lo)));
        }
        return out;
    }

    /** Means over every ordered pair of live nodes: {best, overlay, full mesh, direct, pairs}, priced at the matrix. */
    private static double[] allPairs(LocalOverlay o, double[][] meshDist) {
        LatencyMatrix m = o.matrix();
        double best = 0, over = 0, mesh = 0, direct = 0;
        int n = 0;
        for (int i = 0; i < m.size(); i++) {
            for (int j = 0; j < m.size(); j++) {
                if (i == j) continue;
                Optional<Route> b = route(o.node(i), o.node(j).id(), RouteMode.BEST);
                Optional<Route> v = route(o.node(i), o.node(j).id(), RouteMode.OVERLAY);
                if (b.isEmpty() || v.isEmpty()) continue;
                n++;
                best += priced(o, b.get().path());
                over += priced(o, v.get().path());
                mesh += meshDist[i][j];
                direct += m.rtt(i, j);
            }
        }
        return new double[] {best / n, over / n, mesh / n, direct / n, n};
    }

    /** The matrix RTT along a path (sum of its hops' RTTs). */
    static double priced(LocalOverlay o, List<NodeId> path) {
        double sum = 0;
        for (int h = 0; h + 1 < path.size(); h++) {
            int i = o.indexOf(path.get(h)), j = o.indexOf(path.get(h + 1));
            if (i < 0 || j < 0) return Double.NaN;
            sum += o.matrix().rtt(i, j);
        }
        return sum;
    }

    private static Pair measure(LocalOverlay o, int a, int b, int echoes, long seed, double fullMesh) {
        LatencyMatrix m = o.matrix();
        EgoistNode src = o.node(a), dst = o.node(b);
        String from = m.names().get(a), to = m.names().get(b);
        Optional<Route> direct = route(src, dst.id(), RouteMode.BEST);
        double measuredDirect = direct.map(Route::directCost).orElse(Double.NaN);
        List<Long> ids = new ArrayList<>();
        try {
            int bestPort = forward(src, dst.id(), RouteMode.BEST, ids);
            int overPort = forward(src, dst.id(), RouteMode.OVERLAY, ids);
            try (DemoRoundTrips.Client cb = DemoRoundTrips.udp(bestPort, ECHO_TIMEOUT_MS, seed);
                    DemoRoundTrips.Client co = DemoRoundTrips.udp(overPort, ECHO_TIMEOUT_MS, seed + 1)) {
                long seq = 0;
                for (int i = 0; i < WARM_UP && cb.roundTrip(seq++) != DemoRoundTrips.Outcome.EXACT; i++) {
                    // the first datagram opens the session (and the best routes' direct links at both ends)
                }
                for (int i = 0; i < WARM_UP && co.roundTrip(seq++) != DemoRoundTrips.Outcome.EXACT; i++) {
                    // likewise
                }
                awaitBestTables(src, dst.id());
                awaitBestTables(dst, src.id());
                Mode best = series(o, a, b, RouteMode.BEST, cb, echoes, seq);
                Mode over = series(o, a, b, RouteMode.OVERLAY, co, echoes, seq + echoes);
                return new Pair(
                        from,
                        to,
                        src.id().toString(),
                        dst.id().toString(),
                        m.rtt(a, b),
                        measuredDirect,
                        fullMesh,
                        best,
                        over,
                        null);
            }
        } catch (IOException | RuntimeException e) {
            Throwable t = e.getCause() != null ? e.getCause() : e;
            return new Pair(
                    from,
                    to,
                    src.id().toString(),
                    dst.id().toString(),
                    m.rtt(a, b),
                    measuredDirect,
                    fullMesh,
                    null,
                    null,
                    "cannot measure: " + t.getMessage());
        } finally {
            for (long id : ids)
                src.tunnels().removeForward(id).orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    private static int forward(EgoistNode src, NodeId to, RouteMode mode, List<Long> ids) {
        Forward.Info f = src.tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse("udp:127.0.0.1:0"), to, DemoEchoServers.UDP_SERVICE, mode))
                .orTimeout(15, TimeUnit.SECONDS)
                .join();
        ids.add(f.id());
        return Service.Endpoint.parse(f.listen()).port();
    }

    private static Mode series(
            LocalOverlay o, int a, int b, RouteMode mode, DemoRoundTrips.Client c, int echoes, long seq) {
        EgoistNode src = o.node(a), dst = o.node(b);
        Optional<Route> there0 = route(src, dst.id(), mode), back0 = route(dst, src.id(), mode);
        long[] before = relayed(o);
        double[] times = new double[echoes];
        int exact = 0, lost = 0;
        for (int i = 0; i < echoes; i++) {
            long t = System.nanoTime();
            DemoRoundTrips.Outcome r = c.roundTrip(seq + i);
            double ms = (System.nanoTime() - t) / 1e6;
            if (r == DemoRoundTrips.Outcome.EXACT) times[exact++] = ms;
            else lost++;
        }
        long[] after = relayed(o);
        Optional<Route> there = route(src, dst.id(), mode), back = route(dst, src.id(), mode);
        List<Integer> relays = new ArrayList<>();
        for (int i = 0; i < before.length; i++) if (after[i] > before[i]) relays.add(i);
        boolean match = inner(o, there, back).equals(new LinkedHashSet<>(relays))
                || inner(o, there0, back0).equals(new LinkedHashSet<>(relays));
        NodeId tableHop = tableFirstHop(src, dst.id(), mode);
        double[] ok = Arrays.copyOf(times, exact);
        Arrays.sort(ok);
        List<String> relayNames = new ArrayList<>();
        for (int i : relays) relayNames.add(o.matrix().names().get(i));
        NodeId hop = there.map(Route::nextHop).orElse(null);
        return new Mode(
                mode.label(),
                names(o, there.map(Route::path).orElse(List.of())),
                names(o, back.map(Route::path).orElse(List.of())),
                there.map(Route::cost).orElse(Double.NaN),
                there.map(Route::directCost).orElse(Double.NaN),
                there.isEmpty() || back.isEmpty()
                        ? Double.NaN
                        : (priced(o, there.get().path()) + priced(o, back.get().path())) / 2,
                hop == null ? null : o.nameOf(hop),
                there.map(r -> r.viaOutLink() ? "out-link" : "direct-link").orElse(null),
                hop != null && hop.equals(there0.map(Route::nextHop).orElse(null)),
                tableHop == null ? null : o.nameOf(tableHop),
                relayNames,
                match,
                echoes,
                exact,
                lost,
                exact == 0 ? Double.NaN : DemoHops.median(ok),
                exact == 0 ? Double.NaN : ok[0],
                exact == 0 ? Double.NaN : ok[exact - 1]);
    }

    /** The indices of the inner nodes of both routes (empty set if either is missing: never matches relays). */
    private static Set<Integer> inner(LocalOverlay o, Optional<Route> there, Optional<Route> back) {
        if (there.isEmpty() || back.isEmpty()) return Set.of(-1);
        Set<Integer> r = new LinkedHashSet<>();
        for (List<NodeId> path : List.of(there.get().path(), back.get().path()))
            for (int h = 1; h + 1 < path.size(); h++) r.add(o.indexOf(path.get(h)));
        return Set.copyOf(r);
    }

    /**
     * The peer on whose connection the source's tunnel tables send {@code mode}'s frames for {@code dst}: mode best
     * takes the best table's entry (an out-link or a direct link), else the overlay table's, as the tunnel plane does.
     */
    private static NodeId tableFirstHop(EgoistNode src, NodeId dst, RouteMode mode) {
        return src.query(c -> {
                    ForwardingTable.Tables t = ForwardingTable.tables(c, Set.of(dst));
                    ConnId conn = mode == RouteMode.BEST ? t.best().get(dst) : null;
                    if (conn == null) conn = t.overlay().get(dst);
                    return conn == null ? null : peerOf(c, conn);
                })
                .orTimeout(5, TimeUnit.SECONDS)
                .join();
    }

    private static NodeId peerOf(NodeCore c, ConnId conn) {
        for (NodeId n : c.neighbors()) if (conn.equals(c.upLinkConn(n).orElse(null))) return n;
        for (NodeId n : c.directLinks()) if (conn.equals(c.directLinkConn(n).orElse(null))) return n;
        return null;
    }

    /**
     * Waits (at most 5 s) until {@code n}'s tables send best-mode frames for {@code to} on the best route's first
     * hop (a direct link is up when one is needed), then has the tunnel plane take its tables at once.
     */
    private static void awaitBestTables(EgoistNode n, NodeId to) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            boolean ready = n.query(
                            c -> ForwardingTable.tables(c, Set.of(to)).best().containsKey(to))
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join();
            if (ready) break;
            sleep(50);
        }
        n.tunnels().refreshNow().orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static Optional<Route> route(EgoistNode n, NodeId to, RouteMode mode) {
        return n.route(to, mode).orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static List<String> names(LocalOverlay o, List<NodeId> path) {
        List<String> r = new ArrayList<>();
        for (NodeId id : path) r.add(o.nameOf(id));
        return r;
    }

    /** Frames relayed so far by each node. */
    private static long[] relayed(LocalOverlay o) {
        long[] r = new long[o.nodes().size()];
        for (int i = 0; i < r.length; i++) r[i] = o.node(i).tunnels().counters()[0];
        return r;
    }

    /**
     * Waits until every node has min(k, n - 1) connected neighbors, knows and reaches every other node, has a route
     * in both modes to each, and no node changed its neighbors for {@link #SETTLE_SECONDS}; returns the seconds
     * since the start at the last change, or -1 at the deadline (the pairs are measured anyway).
     */
    private static double awaitConvergence(LocalOverlay o, int deadlineSeconds, Consumer<String> progress, long t0) {
        int n = o.nodes().size();
        long lastChanges = -1;
        double lastChangeAt = 0, lastReport = -10;
        while (true) {
            double now = (System.nanoTime() - t0) / 1e9;
            long changes = -1;
            int ready = 0;
            try {
                changes = 0;
                List<NodeStatus> st = o.statuses();
                for (int i = 0; i < n; i++) {
                    changes += o.node(i)
                            .query(c -> c.counters().changes)
                            .orTimeout(5, TimeUnit.SECONDS)
                            .join();
                    if (ready(o, i, st.get(i))) ready++;
                }
            } catch (java.util.concurrent.CompletionException slow) {
                changes = lastChanges + 1; // a node's loop did not answer in 5 s: not settled
            }
            if (changes != lastChanges || ready < n) {
                lastChanges = changes;
                lastChangeAt = now;
            }
            if (now - lastReport >= 5) {
                progress.accept(String.format(
                        Locale.ROOT,
                        "[%5.1fs] %d/%d nodes wired with routes to all; stable for %.1f s",
                        now,
                        ready,
                        n,
                        now - lastChangeAt));
                lastReport = now;
            }
            if (ready == n && now - lastChangeAt >= SETTLE_SECONDS) {
                progress.accept(String.format(Locale.ROOT, "[%5.1fs] converged; measuring", now));
                return lastChangeAt;
            }
            if (now >= deadlineSeconds) {
                progress.accept(
                        String.format(Locale.ROOT, "[%5.1fs] not converged by the deadline; measuring anyway", now));
                return -1;
            }
            sleep(500);
        }
    }

    private static boolean ready(LocalOverlay o, int i, NodeStatus s) {
        int n = o.nodes().size();
        long connected =
                s.neighbors().stream().filter(NodeStatus.Neighbor::connected).count();
        if (connected < Math.min(o.k(), n - 1) || s.knownNodes() < n - 1 || s.unreachable() != 0) return false;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            for (RouteMode mode : RouteMode.values())
                if (route(o.node(i), o.node(j).id(), mode).isEmpty()) return false;
        }
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
