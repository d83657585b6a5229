package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import java.util.Arrays;
import java.util.Random;

/**
 * Figures that explain a comparison (used by {@code egoist sim --stats}, {@code --metric-closure} and
 * {@code --subset}): what relaying is worth in the full mesh, how long and how stretched an overlay's paths are,
 * the matrix with every detour folded in (its metric closure), and random node subsets.
 */
public final class OverlayStats {
    private OverlayStats() {}

    /** The full mesh without relaying: mean over ordered pairs i ≠ j of rtt(i, j) (= mean of C_i on direct links). */
    public static double directMean(LatencyMatrix m) {
        int n = m.size();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    sum += m.rtt(i, j);
                }
            }
        }
        return sum / ((double) n * (n - 1));
    }

    /**
     * The metric closure: rtt'(i, j) = the shortest path from i to j over the complete graph weighted by the matrix
     * (Floyd–Warshall, O(n³)). In it no detour beats a direct link, and its direct mean equals the full mesh's cost.
     */
    public static LatencyMatrix metricClosure(LatencyMatrix m) {
        double[][] d = m.toArray();
        int n = d.length;
        for (int w = 0; w < n; w++) {
            double[] dw = d[w];
            for (int i = 0; i < n; i++) {
                double[] di = d[i];
                double iw = di[w];
                for (int j = 0; j < n; j++) {
                    double via = iw + dw[j];
                    if (via < di[j]) {
                        di[j] = via;
                    }
                }
            }
        }
        return LatencyMatrix.of("metric closure", m.names(), d);
    }

    /** Ordered pairs i ≠ j whose shortest path is faster than the direct link (by more than 1e-9 relative). */
    public static int pairsWithFasterDetour(LatencyMatrix m, LatencyMatrix closure) {
        int n = m.size();
        int count = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && closure.rtt(i, j) < m.rtt(i, j) * (1 - 1e-9)) {
                    count++;
                }
            }
        }
        return count;
    }

    /** A random subset of {@code size} nodes (seeded), in the matrix's order. */
    public static LatencyMatrix randomSubset(LatencyMatrix m, int size, long seed) {
        int n = m.size();
        if (size < 3 || size > n) {
            throw new IllegalArgumentException("subset size must be 3.." + n + ", got " + size);
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) {
            int j = i + r.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, size);
        Arrays.sort(chosen);
        return m.subset(chosen);
    }

    /**
     * Paths of an overlay over all ordered pairs that it connects: the mean number of hops of the shortest paths
     * (as the shortest-path tree picks them) and the mean and max per-pair stretch d_overlay(i, j) / d_mesh(i, j).
     *
     * @param unreachable ordered pairs the overlay does not connect (left out of the means)
     */
    public record PathStats(double meanHops, double meanStretch, double maxStretch, int unreachable) {}

    public static PathStats paths(Graph overlay, Graph fullMesh) {
        int n = overlay.size();
        double hops = 0;
        double stretch = 0;
        double max = 0;
        long pairs = 0;
        int unreachable = 0;
        for (int i = 0; i < n; i++) {
            ShortestPaths.Tree t = ShortestPaths.tree(overlay, i);
            double[] mesh = ShortestPaths.distances(fullMesh, i);
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                if (!(t.dist()[j] < Double.POSITIVE_INFINITY)) {
                    unreachable++;
                    continue;
                }
                hops += t.pathTo(j).length - 1;
                double s = mesh[j] > 0 ? t.dist()[j] / mesh[j] : 1;
                stretch += s;
                max = Math.max(max, s);
                pairs++;
            }
        }
        return pairs == 0
                ? new PathStats(Double.NaN, Double.NaN, Double.NaN, unreachable)
                : new PathStats(hops / pairs, stretch / pairs, max, unreachable);
    }
}
