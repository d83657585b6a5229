package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Graph;
import java.util.Arrays;

/** Small helpers between a latency matrix, per-node out-neighbor arrays and sns graphs. */
public final class Wirings {
    private Wirings() {}

    /** The overlay: an edge i → j weighted rtt(i, j) for every j in wiring[i]. */
    public static Graph graph(LatencyMatrix m, int[][] wiring) {
        Graph g = new Graph(m.size());
        for (int i = 0; i < wiring.length; i++) {
            for (int j : wiring[i]) {
                g.setEdge(i, j, m.rtt(i, j));
            }
        }
        return g;
    }

    /** Node i's direct costs for a WiringProblem: row i of the matrix, NaN for i itself (not a candidate). */
    public static double[] direct(LatencyMatrix m, int i) {
        double[] d = m.row(i);
        d[i] = Double.NaN;
        return d;
    }

    /** Same neighbors regardless of order. */
    public static boolean sameSet(int[] a, int[] b) {
        if (a.length != b.length) {
            return false;
        }
        int[] x = a.clone();
        int[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        return Arrays.equals(x, y);
    }

    public static int[][] copy(int[][] wiring) {
        int[][] out = new int[wiring.length][];
        for (int i = 0; i < wiring.length; i++) {
            out[i] = wiring[i].clone();
        }
        return out;
    }

    /** A well-mixed 64-bit seed for one experiment cell, independent of which other cells run. */
    public static long seedFor(long seed, int k, String what) {
        long z = seed * 0x9E3779B97F4A7C15L + k * 0xBF58476D1CE4E5B9L + what.hashCode() * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
