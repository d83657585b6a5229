package io.egoist.sns;

import java.util.Arrays;

/**
 * The precomputed "facility → client" table of one best-response problem (an asymmetric k-median):
 * for every candidate neighbor w (row) and destination j (column), the weighted loss of reaching j through
 * the first hop w, {@code p_ij · (d_iw + d_{G−i}(w, j))} for delay, {@code −p_ij · min(b_iw, width_{G−i}(w, j))}
 * for bandwidth. Under a wiring S, a destination's loss is the minimum over S of its column, and the
 * objective (to minimise) is the sum over destinations. Built with one Dijkstra per candidate, once per call;
 * evaluating a wiring never runs Dijkstra again.
 *
 * <p>Sign convention: the objective equals C_i for delay and −(sum of bottlenecks) for bandwidth, so every
 * policy minimises it. {@link #toMetricValue} converts back.
 */
final class ServiceTable {
    final Metric metric;
    /** Candidate node ids, one per row. */
    final int[] cand;
    /** Destination node ids, one per column. */
    final int[] dest;
    /** Row-major {@code cand.length × dest.length} weighted losses. */
    final double[] loss;
    /** The loss of each destination when no neighbor serves it (penalty for delay, 0 for bandwidth). */
    final double[] empty;
    /** node id → row index, or −1. */
    private final int[] rowOf;

    private ServiceTable(Metric metric, int[] cand, int[] dest, double[] loss, double[] empty, int n) {
        this.metric = metric;
        this.cand = cand;
        this.dest = dest;
        this.loss = loss;
        this.empty = empty;
        this.rowOf = new int[n];
        Arrays.fill(rowOf, -1);
        for (int r = 0; r < cand.length; r++) {
            rowOf[cand[r]] = r;
        }
    }

    int rows() {
        return cand.length;
    }

    int cols() {
        return dest.length;
    }

    /** The row of node {@code id}, or −1 when it is not a candidate of this table. */
    int rowOf(int id) {
        return id >= 0 && id < rowOf.length ? rowOf[id] : -1;
    }

    /** Objective of the wiring given as row indices (the first {@code count} of {@code rows}). */
    double objective(int[] rows, int count) {
        int nd = dest.length;
        double sum = 0;
        for (int d = 0; d < nd; d++) {
            double best = empty[d];
            for (int s = 0; s < count; s++) {
                double v = loss[rows[s] * nd + d];
                if (v < best) {
                    best = v;
                }
            }
            sum += best;
        }
        return sum;
    }

    /** C_i (delay) or the sum of bottlenecks (bandwidth) for an objective value. */
    double toMetricValue(double objective) {
        return metric == Metric.BANDWIDTH ? -objective : objective;
    }

    // ---------------------------------------------------------------------------------------------

    /** Candidates of a problem: j ≠ self with a finite direct cost, ascending. */
    static int[] candidates(WiringProblem p) {
        double[] direct = p.direct();
        int self = p.self();
        int count = 0;
        int[] out = new int[direct.length];
        for (int j = 0; j < direct.length; j++) {
            if (j != self && isCandidateValue(direct[j], j)) {
                out[count++] = j;
            }
        }
        return Arrays.copyOf(out, count);
    }

    /** The out-degree a policy can give: k, clamped to 0..{@code available}. */
    static int degree(WiringProblem p, int available) {
        return Math.min(Math.max(p.k(), 0), available);
    }

    static boolean isCandidate(WiringProblem p, int j) {
        return j >= 0 && j < p.direct().length && j != p.self() && isCandidateValue(p.direct()[j], j);
    }

    private static boolean isCandidateValue(double v, int j) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return false;
        }
        if (v < 0) {
            throw new IllegalArgumentException("direct cost to " + j + " is negative: " + v);
        }
        return true;
    }

    /**
     * Destinations and their weights p_ij. Uniform (preference == null): every candidate j (a node self knows
     * to be alive, i.e. with a finite direct cost) with weight 1/|D|, so C_i is the mean distance. Explicit:
     * every j ≠ self with p_ij > 0, weighted as given.
     */
    static double[][] destinations(WiringProblem p) {
        int n = p.size();
        double[] pref = p.preference();
        if (pref == null) {
            int[] c = candidates(p);
            double[] ids = new double[c.length];
            double[] w = new double[c.length];
            for (int i = 0; i < c.length; i++) {
                ids[i] = c[i];
                w[i] = 1.0 / c.length;
            }
            return new double[][] {ids, w};
        }
        if (pref.length != n) {
            throw new IllegalArgumentException("preference has length " + pref.length + ", expected " + n);
        }
        int count = 0;
        for (int j = 0; j < n; j++) {
            if (j != p.self() && pref[j] > 0) {
                count++;
            }
        }
        double[] ids = new double[count];
        double[] w = new double[count];
        int i = 0;
        for (int j = 0; j < n; j++) {
            if (j != p.self() && pref[j] > 0) {
                if (Double.isInfinite(pref[j])) {
                    throw new IllegalArgumentException("preference for " + j + " is infinite");
                }
                ids[i] = j;
                w[i++] = pref[j];
            }
        }
        return new double[][] {ids, w};
    }

    /** Builds the table for the given candidate rows (node ids, all candidates of {@code p}). */
    static ServiceTable build(WiringProblem p, int[] rows) {
        return build(p, rows, new Dijkstra(p.size()));
    }

    static ServiceTable build(WiringProblem p, int[] rows, Dijkstra dijkstra) {
        Graph g = p.residual();
        int n = p.size();
        if (g.size() != n) {
            throw new IllegalArgumentException("residual graph has " + g.size() + " nodes, direct has " + n);
        }
        if (p.self() < 0 || p.self() >= n) {
            throw new IllegalArgumentException("self " + p.self() + " outside 0.." + (n - 1));
        }
        double[][] dw = destinations(p);
        int nd = dw[0].length;
        int[] dest = new int[nd];
        for (int d = 0; d < nd; d++) {
            dest[d] = (int) dw[0][d];
        }
        double[] weight = dw[1];
        boolean bandwidth = p.metric() == Metric.BANDWIDTH;
        double[] empty = new double[nd];
        for (int d = 0; d < nd; d++) {
            empty[d] = bandwidth ? 0.0 : weight[d] * Costs.UNREACHABLE_PENALTY;
        }
        int m = rows.length;
        double[] loss = new double[m * nd];
        double[] val = new double[n];
        int self = p.self();
        double[] direct = p.direct();
        for (int r = 0; r < m; r++) {
            int w = rows[r];
            if (!isCandidate(p, w)) {
                throw new IllegalArgumentException("node " + w + " is not a candidate of node " + self);
            }
            double first = direct[w];
            int base = r * nd;
            if (bandwidth) {
                dijkstra.widest(g, w, self, val, null);
                for (int d = 0; d < nd; d++) {
                    double b = Math.min(first, val[dest[d]]);
                    loss[base + d] = b > 0 ? -weight[d] * b : 0.0;
                }
            } else {
                dijkstra.shortest(g, w, self, val, null);
                for (int d = 0; d < nd; d++) {
                    double c = first + val[dest[d]];
                    loss[base + d] = weight[d] * (c < Costs.UNREACHABLE_PENALTY ? c : Costs.UNREACHABLE_PENALTY);
                }
            }
        }
        return new ServiceTable(p.metric(), rows.clone(), dest, loss, empty, n);
    }
}
