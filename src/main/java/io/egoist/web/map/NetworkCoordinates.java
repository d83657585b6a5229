package io.egoist.web.map;

import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import java.util.Random;

/**
 * Network coordinates for the live map: places nodes in the plane so that the distance on screen follows the
 * delay between them. Pure functions, no I/O.
 *
 * <p>The delay between two nodes is the cost of the cheapest overlay path between them over the announced
 * link costs, in either direction (links are measured RTTs, so both directions estimate the same delay).
 * Classical multidimensional scaling then finds the 2-D points whose Euclidean distances best match those
 * delays (the two largest eigenvalues of the double-centred squared-distance matrix).
 */
public final class NetworkCoordinates {
    private NetworkCoordinates() {}

    /** Placement is quadratic in memory and about cubic in time: above this many nodes callers lay out otherwise. */
    public static final int MAX_NODES = 400;

    private static final int ITERATIONS = 500;

    /**
     * Symmetric pairwise delays from directed link costs: {@code costs[i][j]} is the cost of the link i → j,
     * or NaN/negative/infinite for none. A pair with no path either way gets 1.5 times the largest finite delay
     * (1 when there is none), so separate parts of the overlay sit apart without flying off.
     */
    public static double[][] overlayDelays(double[][] costs) {
        int n = costs.length;
        Graph g = new Graph(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) continue;
                double c = cheaper(costs[i][j], costs[j][i]);
                if (Double.isFinite(c)) g.setEdge(i, j, c);
            }
        }
        double[][] d = new double[n][];
        double max = 0;
        for (int i = 0; i < n; i++) {
            d[i] = ShortestPaths.distances(g, i);
            for (double v : d[i]) if (Double.isFinite(v)) max = Math.max(max, v);
        }
        double far = max > 0 ? 1.5 * max : 1;
        for (double[] row : d) for (int j = 0; j < n; j++) if (!Double.isFinite(row[j])) row[j] = far;
        return d;
    }

    private static double cheaper(double a, double b) {
        boolean okA = Double.isFinite(a) && a >= 0, okB = Double.isFinite(b) && b >= 0;
        if (okA && okB) return Math.min(a, b);
        return okA ? a : okB ? b : Double.NaN;
    }

    /**
     * Classical MDS into the plane: {@code result[i] = {x, y}} in the units of {@code delays}. Deterministic;
     * each axis is oriented so that the sum of cubed coordinates is not negative.
     *
     * @param delays symmetric, finite, non-negative, zero diagonal
     */
    public static double[][] classicalMds(double[][] delays) {
        int n = delays.length;
        double[][] out = new double[n][2];
        if (n < 2) return out;
        // B = -1/2 J D² J with J the centring matrix
        double[][] b = new double[n][n];
        double[] rowMean = new double[n];
        double all = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sq = delays[i][j] * delays[i][j];
                b[i][j] = sq;
                rowMean[i] += sq / n;
            }
            all += rowMean[i] / n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) b[i][j] = -0.5 * (b[i][j] - rowMean[i] - rowMean[j] + all);
        }
        // shift by a bound on the spectrum so that power iteration finds the largest eigenvalue, not the
        // largest in magnitude (delays that are not Euclidean give negative eigenvalues)
        double shift = 0;
        for (double[] row : b) {
            double s = 0;
            for (double v : row) s += Math.abs(v);
            shift = Math.max(shift, s);
        }
        Random random = new Random(42);
        for (int axis = 0; axis < 2; axis++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = random.nextDouble() - 0.5;
            normalise(v);
            double[] w = new double[n];
            for (int it = 0; it < ITERATIONS; it++) {
                multiply(b, shift, v, w);
                if (normalise(w) == 0) break;
                double[] t = v;
                v = w;
                w = t;
            }
            multiply(b, 0, v, w);
            double lambda = dot(v, w);
            if (!(lambda > 1e-12)) continue;
            double scale = Math.sqrt(lambda);
            double skew = 0;
            for (double x : v) skew += x * x * x;
            if (skew < 0) scale = -scale;
            for (int i = 0; i < n; i++) out[i][axis] = v[i] * scale;
            // deflate: remove this component before looking for the next one
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) b[i][j] -= lambda * v[i] * v[j];
        }
        return out;
    }

    private static void multiply(double[][] b, double shift, double[] v, double[] out) {
        int n = v.length;
        for (int i = 0; i < n; i++) {
            double s = shift * v[i];
            double[] row = b[i];
            for (int j = 0; j < n; j++) s += row[j] * v[j];
            out[i] = s;
        }
    }

    private static double normalise(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        if (norm == 0) return 0;
        for (int i = 0; i < v.length; i++) v[i] /= norm;
        return norm;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /**
     * The map's placement: classical MDS, then refined by {@link #refine} so that short delays are kept best.
     */
    public static double[][] place(double[][] delays) {
        return refine(delays, classicalMds(delays), REFINE_ROUNDS);
    }

    static final int REFINE_ROUNDS = 200;

    /**
     * Stress majorization with weights 1/d²: moves each point in turn to where it best keeps its delays to all
     * others, short delays counting most (classical MDS fits the long ones best, which crowds nearby nodes).
     * Each round does not increase the weighted stress {@link #stress}.
     */
    public static double[][] refine(double[][] delays, double[][] start, int rounds) {
        int n = delays.length;
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) x[i] = start[i].clone();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < n; i++) {
                double sx = 0, sy = 0, sw = 0;
                for (int j = 0; j < n; j++) {
                    double d = delays[i][j];
                    if (j == i || !(d > 0)) continue;
                    double w = 1 / (d * d);
                    double dx = x[i][0] - x[j][0], dy = x[i][1] - x[j][1];
                    double len = Math.hypot(dx, dy);
                    if (len > 0) {
                        sx += w * (x[j][0] + d * dx / len);
                        sy += w * (x[j][1] + d * dy / len);
                    } else {
                        sx += w * x[j][0];
                        sy += w * x[j][1];
                    }
                    sw += w;
                }
                if (sw > 0) {
                    x[i][0] = sx / sw;
                    x[i][1] = sy / sw;
                }
            }
        }
        return x;
    }

    /** The weighted stress of a placement: the sum over pairs of (screen distance - delay)² / delay². */
    public static double stress(double[][] delays, double[][] xy) {
        double s = 0;
        for (int i = 0; i < delays.length; i++) {
            for (int j = i + 1; j < delays.length; j++) {
                double d = delays[i][j];
                if (!(d > 0)) continue;
                double e = Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]) - d;
                s += e * e / (d * d);
            }
        }
        return s;
    }

    /** Evenly on a circle of the given radius, in index order: for more than {@link #MAX_NODES} nodes. */
    public static double[][] circle(int n, double radius) {
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / Math.max(1, n);
            out[i][0] = radius * Math.cos(a);
            out[i][1] = radius * Math.sin(a);
        }
        return out;
    }
}
