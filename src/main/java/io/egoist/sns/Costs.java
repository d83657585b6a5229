package io.egoist.sns;

/** Node costs C_i(S) = sum over j != i of p_ij * d_S(i, j). */
public final class Costs {
    private Costs() {}

    /**
     * Penalty M for an unreachable destination: far above any real path (the seed's HUGE_DELAY plays this
     * role on the wire; here a finite value keeps sums meaningful).
     */
    public static final double UNREACHABLE_PENALTY = 1e9;

    /** C_i for wiring {@code wiring} (the problem's metric: delay cost, or bandwidth value to maximise). */
    public static double cost(WiringProblem problem, int[] wiring) { throw new UnsupportedOperationException("TODO sns"); }

    /** C_i of every node i in a complete overlay (each node's out-links as in {@code overlay}), delay metric. */
    public static double[] nodeCosts(Graph overlay) { throw new UnsupportedOperationException("TODO sns"); }
}
