package io.egoist.sns;

import java.util.Random;

/**
 * br: node i's best response to the residual overlay G − i, an asymmetric k-median over the candidates.
 * Exact (enumeration of every k-subset) when C(candidates, k) ≤ {@code exactLimit} (default 100,000),
 * otherwise greedy start + swap local search until no swap improves ({@code rho} = 1: single swaps; 2: also
 * 2-for-2 swaps when no single swap helps). The current wiring is kept on ties. Deterministic; ignores the Random.
 */
public final class BestResponsePolicy implements WiringPolicy {
    public static final long DEFAULT_EXACT_LIMIT = 100_000;

    private final long exactLimit;
    private final int rho;

    public BestResponsePolicy() {
        this(DEFAULT_EXACT_LIMIT, 1);
    }

    /**
     * @param exactLimit enumerate exactly when C(candidates, k) is at most this (0 forces local search)
     * @param rho        1 = single swaps, 2 = also 2-for-2 swaps when no single swap improves
     */
    public BestResponsePolicy(long exactLimit, int rho) {
        if (exactLimit < 0) {
            throw new IllegalArgumentException("exactLimit must be >= 0");
        }
        if (rho < 1 || rho > 2) {
            throw new IllegalArgumentException("rho must be 1 or 2, got " + rho);
        }
        this.exactLimit = exactLimit;
        this.rho = rho;
    }

    @Override
    public String name() {
        return "br";
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        return solve(problem).neighbors();
    }

    /** The best response with its cost (C_i for delay, sum of bottlenecks for bandwidth) and the current wiring's. */
    public Choice solve(WiringProblem problem) {
        int[] cands = ServiceTable.candidates(problem);
        int k = Math.min(problem.k(), cands.length);
        if (k <= 0) {
            return new Choice(new int[0], Double.NaN, Double.NaN, true);
        }
        ServiceTable t = ServiceTable.build(problem, cands);
        int[] cur = BestResponse.currentRows(t, problem.current(), k, null);
        BestResponse.Result r = BestResponse.solve(t, new int[0], k, cur, exactLimit, rho);
        return new Choice(
                BestResponse.idsSorted(t, r.rows()),
                t.toMetricValue(r.objective()),
                t.toMetricValue(r.currentObjective()),
                r.exact());
    }

    /**
     * A best response: the neighbors (ascending), their cost under the problem's metric, the current wiring's
     * cost (NaN when the current wiring is not a valid k-set), and whether it was solved exactly.
     */
    public record Choice(int[] neighbors, double cost, double currentCost, boolean exact) {}

    @Override
    public String toString() {
        return "br(exactLimit=" + exactLimit + ", rho=" + rho + ")";
    }
}
