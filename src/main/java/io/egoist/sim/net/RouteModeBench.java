package io.egoist.sim.net;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeCore;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.node.runtime.Demo;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The routing modes side by side on real node cores under virtual time: n countries of the RIPE matrix (spread
 * over it as in the demo), k out-links each, policy BR at the default periods. Once the overlay has converged,
 * every ordered pair's route is read from its source in mode {@code best} and {@code overlay} and priced at the
 * matrix RTTs along its path, next to the full mesh's shortest path and the direct RTT; then one DATA message per
 * pair is sent in mode best and followed hop by hop. A figure, not a test: {@code egoist bench routes}.
 */
public final class RouteModeBench {
    private RouteModeBench() {}

    /** What one run measured; costs are means over the ordered pairs, in ms of RTT along the path. */
    public record Result(
            int nodes,
            int k,
            long seed,
            double convergedAtSeconds,
            int pairs,
            double meanBest,
            double meanOverlay,
            double meanFullMesh,
            double meanDirect,
            int bestWorseThanDirect,
            int bestDirect,
            int bestViaNeighbor,
            int bestViaOtherFirstHop,
            int sent,
            int delivered,
            int deliveredAlongTheRoute,
            double meanDeliveredPathRtt) {}

    public static Result run(int n, int k, long seed, Consumer<String> progress) {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        double[][] m = ripe.subset(Demo.spreadOut(ripe, n)).toArray();
        SimOverlay o = SimOverlay.build(m, n, seed, c -> c.withK(k), new VirtualNetwork.Options());
        o.startAll(10_000, new Random(seed));
        long converged = converge(o, 3_600_000);
        progress.accept(String.format(
                java.util.Locale.ROOT, "converged at %.0f virtual s; reading the routes", converged / 1000.0));
        List<NodeId> ids = o.ids();
        Graph mesh = new Graph(n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) if (i != j) mesh.setEdge(i, j, o.rtt(ids.get(i), ids.get(j)));
        double sumBest = 0, sumOverlay = 0, sumMesh = 0, sumDirect = 0;
        int pairs = 0, worse = 0, direct = 0, viaNeighbor = 0, viaOther = 0;
        List<Route> bestRoutes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NodeCore c = o.core(ids.get(i));
            double[] meshDist = ShortestPaths.distances(mesh, i);
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                NodeId to = ids.get(j);
                Route best = c.route(to, RouteMode.BEST).orElseThrow(() -> new IllegalStateException("no best route"));
                Route over = c.route(to, RouteMode.OVERLAY).orElseThrow(() -> new IllegalStateException("no route"));
                double b = o.matrixCost(best.path()), d = o.rtt(ids.get(i), to);
                pairs++;
                sumBest += b;
                sumOverlay += o.matrixCost(over.path());
                sumMesh += meshDist[j];
                sumDirect += d;
                if (b > d + 1e-9) worse++;
                if (best.path().size() == 2) direct++;
                else if (c.neighbors().contains(best.nextHop())) viaNeighbor++;
                else viaOther++;
                bestRoutes.add(best);
            }
        }
        progress.accept("sending one message per pair in mode best");
        List<VirtualNetwork.DataOutcome> sent = new ArrayList<>();
        for (Route r : bestRoutes) {
            sent.add(o.net().sendData(r.path().get(0), r.destination(), "best".getBytes(), RouteMode.BEST));
            o.net().runFor(20);
        }
        o.net().runFor(15_000);
        int delivered = 0, alongRoute = 0;
        double sumPath = 0;
        for (int x = 0; x < sent.size(); x++) {
            VirtualNetwork.DataOutcome out = sent.get(x);
            if (!out.acked()) continue;
            delivered++;
            sumPath += o.matrixCost(out.path());
            if (out.path().equals(bestRoutes.get(x).path())) alongRoute++;
        }
        return new Result(
                n,
                k,
                seed,
                converged / 1000.0,
                pairs,
                sumBest / pairs,
                sumOverlay / pairs,
                sumMesh / pairs,
                sumDirect / pairs,
                worse,
                direct,
                viaNeighbor,
                viaOther,
                sent.size(),
                delivered,
                alongRoute,
                delivered == 0 ? Double.NaN : sumPath / delivered);
    }

    /**
     * Runs until no node's neighbors changed for {@link #QUIET_MS} (BR has settled), every node is wired, every route
     * matches Dijkstra over the announced links and every best route exists; returns the time of the last
     * re-wiring.
     */
    static long converge(SimOverlay o, long deadlineMs) {
        VirtualNetwork net = o.net();
        net.runUntil(60_000);
        long lastChange = net.now();
        List<List<NodeId>> wiring = List.of();
        while (net.now() < deadlineMs) {
            List<List<NodeId>> now = new ArrayList<>();
            for (NodeId id : o.ids())
                now.add(List.copyOf(new java.util.TreeSet<>(o.core(id).neighbors())));
            if (!now.equals(wiring)) {
                wiring = now;
                lastChange = net.now();
            } else if (net.now() - lastChange >= QUIET_MS
                    && o.wiringProblems().isEmpty()
                    && o.unreachablePairs().isEmpty()
                    && o.routeMismatches().isEmpty()
                    && everyBestRouteExists(o)) return lastChange;
            net.runFor(1000);
        }
        throw new IllegalStateException("the overlay did not converge within " + deadlineMs / 1000 + " virtual s");
    }

    /** BR has settled when no node's neighbors changed for this long (three re-wiring periods at the defaults). */
    static final long QUIET_MS = 180_000;

    private static boolean everyBestRouteExists(SimOverlay o) {
        for (NodeId a : o.ids())
            for (NodeId b : o.ids())
                if (!a.equals(b) && o.core(a).route(b, RouteMode.BEST).isEmpty()) return false;
        return true;
    }
}
