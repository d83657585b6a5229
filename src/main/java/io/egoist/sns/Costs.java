package io.egoist.sns;

/**
 * Node costs C_i(S) = Σ_{j≠i} p_ij · d_S(i, j), where d_S(i, j) = min over w ∈ S of d_iw + d_{G−i}(w, j).
 *
 * <p>Preferences: uniform by default, p_ij = 1/|D| over the destinations D (for a {@link WiringProblem}: the
 * nodes i has a finite direct measurement to, i.e. knows to be alive; for a whole overlay: every other node),
 * so C_i is the mean distance in ms. An explicit preference vector is used as given (no normalisation) over
 * the j with p_ij > 0. An unreachable destination costs {@link #UNREACHABLE_PENALTY}.
 *
 * <p>Bandwidth sign convention: under {@link Metric#BANDWIDTH} the functions here return the <em>value</em>
 * Σ_j p_ij · (bottleneck of the widest i→j path), 0 for unreachable — higher is better; policies maximise it.
 */
public final class Costs {
    private Costs() {}

    /**
     * Penalty M for an unreachable destination: far above any real path (the seed's HUGE_DELAY plays this
     * role on the wire; here a finite value keeps sums meaningful).
     */
    public static final double UNREACHABLE_PENALTY = 1e9;

    /**
     * C_i for wiring {@code wiring} (the problem's metric: delay cost, or bandwidth value to maximise).
     * Entries that are not candidates (no finite direct cost: dead or unmeasured) carry nothing and are
     * skipped, as are duplicates; an empty wiring reaches nobody. Out-edges of self in the residual graph are
     * ignored. Runs one Dijkstra per link.
     */
    public static double cost(WiringProblem problem, int[] wiring) {
        int[] links = new int[wiring.length];
        int c = 0;
        for (int w : wiring) {
            boolean dup = false;
            for (int i = 0; i < c; i++) {
                dup |= links[i] == w;
            }
            if (!dup && ServiceTable.isCandidate(problem, w)) {
                links[c++] = w;
            }
        }
        int[] rows = new int[c];
        for (int i = 0; i < c; i++) {
            rows[i] = i;
        }
        ServiceTable t = ServiceTable.build(problem, java.util.Arrays.copyOf(links, c));
        return t.toMetricValue(t.objective(rows, c));
    }

    /** C_i of every node i in a complete overlay (each node's out-links as in {@code overlay}), delay metric. */
    public static double[] nodeCosts(Graph overlay) {
        return nodeCosts(overlay, Metric.DELAY, null);
    }

    /**
     * Every node's C_i (delay: mean distance, penalty when unreachable) or bandwidth value (mean bottleneck)
     * in the overlay, uniform over the other alive nodes. {@code alive == null} means all; a dead node's entry
     * is NaN. The overlay should hold no out-edges of dead nodes (they would otherwise relay).
     */
    public static double[] nodeCosts(Graph overlay, Metric metric, boolean[] alive) {
        int n = overlay.size();
        if (alive != null && alive.length != n) {
            throw new IllegalArgumentException("alive has length " + alive.length + ", expected " + n);
        }
        int live = 0;
        for (int i = 0; i < n; i++) {
            if (alive == null || alive[i]) {
                live++;
            }
        }
        double[] out = new double[n];
        double[] val = new double[n];
        Dijkstra dj = new Dijkstra(n);
        for (int i = 0; i < n; i++) {
            if (alive != null && !alive[i]) {
                out[i] = Double.NaN;
                continue;
            }
            if (live <= 1) {
                out[i] = 0;
                continue;
            }
            if (metric == Metric.BANDWIDTH) {
                dj.widest(overlay, i, -1, val, null);
            } else {
                dj.shortest(overlay, i, -1, val, null);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j == i || (alive != null && !alive[j])) {
                    continue;
                }
                double v = val[j];
                if (metric == Metric.BANDWIDTH) {
                    sum += v;
                } else {
                    sum += v < UNREACHABLE_PENALTY ? v : UNREACHABLE_PENALTY;
                }
            }
            out[i] = sum / (live - 1);
        }
        return out;
    }
}
