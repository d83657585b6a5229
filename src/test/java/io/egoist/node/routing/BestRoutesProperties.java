package io.egoist.node.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Best-mode routes on random overlays and latencies: never worse than the direct path when it is known, never
 * worse than the overlay route, and following the next hops hop by hop (the source's first hop, then every relay
 * along its own overlay shortest path, as the data plane forwards) reaches the destination at most at the
 * promised cost.
 */
class BestRoutesProperties {

    /** A random instance: RTT matrix (asymmetric, 1..400 ms), each node's k random out-links. */
    private record Instance(double[][] rtt, Graph overlay) {}

    private static Instance instance(int n, int k, long seed) {
        Random r = new Random(seed);
        double[][] rtt = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) rtt[i][j] = i == j ? 0 : 1 + r.nextInt(400) + r.nextDouble();
        Graph g = new Graph(n);
        for (int i = 0; i < n; i++) {
            for (int added = 0; added < Math.min(k, n - 1); ) {
                int j = r.nextInt(n);
                if (j == i || g.hasEdge(i, j)) continue;
                g.setEdge(i, j, rtt[i][j]);
                added++;
            }
        }
        return new Instance(rtt, g);
    }

    /** The source's first-hop costs: measured RTTs, some unknown (NaN) with probability {@code unknownPct}%. */
    private static double[] firstHops(Instance x, int s, int d, int unknownPct, Random r) {
        int n = x.rtt.length;
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = i == s || (i != d && r.nextInt(100) < unknownPct) ? Double.NaN : x.rtt[s][i];
        }
        if (r.nextInt(100) < unknownPct) f[d] = Double.NaN; // the direct RTT, unknown sometimes too
        return f;
    }

    /** Follows the route: the first hop, then each relay's next hop on its overlay shortest path. */
    private static double follow(Instance x, int s, int d, int firstHop) {
        int n = x.rtt.length;
        double cost = x.rtt[s][firstHop];
        int at = firstHop;
        for (int hops = 1; at != d; hops++) {
            assertThat(hops).as("hop count from %d to %d", s, d).isLessThanOrEqualTo(n);
            int[] p = ShortestPaths.tree(x.overlay, at).pathTo(d);
            assertThat(p).as("relay %d has a route to %d", at, d).hasSizeGreaterThanOrEqualTo(2);
            cost += x.overlay.weight(at, p[1]);
            at = p[1];
        }
        return cost;
    }

    @Property(tries = 300)
    void bestIsNeverWorseThanDirectOrOverlayAndFollowingItsNextHopsDelivers(
            @ForAll @IntRange(min = 2, max = 30) int n,
            @ForAll @IntRange(min = 1, max = 4) int k,
            @ForAll @IntRange(min = 0, max = 60) int unknownPct,
            @ForAll long seed) {
        Instance x = instance(n, k, seed);
        Random r = new Random(seed ^ 0x5eed);
        int s = r.nextInt(n);
        BestRoutes b = new BestRoutes(x.overlay, s);
        double[] overlayDist = ShortestPaths.distances(x.overlay, s);
        for (int d = 0; d < n; d++) {
            if (d == s) continue;
            double[] first = firstHops(x, s, d, unknownPct, r);
            BestRoutes.Choice c = b.choose(d, first);
            if (Double.isFinite(first[d])) {
                assertThat(c).as("a route exists when the direct RTT is known").isNotNull();
                assertThat(c.cost()).isLessThanOrEqualTo(x.rtt[s][d]);
            }
            if (c == null) continue;
            // the overlay route from s leaves over one of s's links, whose RTT is a known first hop unless hidden
            boolean overlayFirstHopKnown = true;
            int[] op = ShortestPaths.tree(x.overlay, s).pathTo(d);
            if (op.length >= 2) overlayFirstHopKnown = Double.isFinite(first[op[1]]);
            if (overlayFirstHopKnown && overlayDist[d] < Double.POSITIVE_INFINITY)
                assertThat(c.cost()).isLessThanOrEqualTo(overlayDist[d] + 1e-9);
            assertThat(c.path()[0]).isEqualTo(s);
            assertThat(c.path()[c.path().length - 1]).isEqualTo(d);
            for (int i = 1; i < c.path().length; i++) assertThat(c.path()[i]).isNotEqualTo(s);
            // the path's cost is what the choice says: the first hop's RTT plus the overlay links after it
            double sum = first[c.firstHop()];
            for (int i = 1; i + 1 < c.path().length; i++) sum += x.overlay.weight(c.path()[i], c.path()[i + 1]);
            assertThat(sum).isCloseTo(c.cost(), org.assertj.core.data.Offset.offset(1e-6));
            // hop by hop, every relay on its own shortest path: delivered, at most at the promised cost
            assertThat(follow(x, s, d, c.firstHop())).isLessThanOrEqualTo(c.cost() + 1e-6);
        }
    }

    @Property(tries = 100)
    void withEveryRttKnownBestIsTheCheapestFirstHopPlusOverlay(
            @ForAll @IntRange(min = 2, max = 20) int n, @ForAll @IntRange(min = 1, max = 3) int k, @ForAll long seed) {
        Instance x = instance(n, k, seed);
        int s = (int) Math.floorMod(seed, (long) n);
        BestRoutes b = new BestRoutes(x.overlay, s);
        Graph withoutS = x.overlay.copy();
        withoutS.clearOutEdges(s);
        for (int u = 0; u < n; u++) withoutS.removeEdge(u, s);
        for (int d = 0; d < n; d++) {
            if (d == s) continue;
            double want = Double.POSITIVE_INFINITY;
            for (int f = 0; f < n; f++) {
                if (f == s) continue;
                double rest = ShortestPaths.distances(withoutS, f)[d];
                want = Math.min(want, x.rtt[s][f] + rest);
            }
            BestRoutes.Choice c = b.choose(d, x.rtt[s].clone());
            assertThat(c).isNotNull();
            assertThat(c.cost()).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-9));
        }
    }
}
