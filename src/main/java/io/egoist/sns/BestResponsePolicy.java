package io.egoist.sns;

import java.util.Random;

/**
 * br: node i's best response to the residual overlay G − i, an asymmetric k-median over the candidates.
 * Greedy start + single-swap local search gives an incumbent; a branch and bound then makes the answer exact
 * unless it needs more than {@code exactBudget} table cells (default {@value #DEFAULT_EXACT_BUDGET}); then
 * 2-for-2 swaps improve the result ({@code rho} = 1: never; 2: always; {@link #RHO_AUTO}: when one pass of
 * them fits the same budget). The current wiring is kept on ties. Deterministic; ignores the Random.
 */
public final class BestResponsePolicy implements WiringPolicy {
    /** Work cap of the exact search, in loss-table cells read (a few ms of one core at n = 94). */
    public static final long DEFAULT_EXACT_BUDGET = 2_000_000;

    /** ρ: 2-for-2 swaps only when exact search ran out of budget and one pass of them fits the budget. */
    public static final int RHO_AUTO = 0;

    private final long exactLimit;
    private final int rho;

    public BestResponsePolicy() {
        this(DEFAULT_EXACT_BUDGET, RHO_AUTO);
    }

    /**
     * @param exactLimit work budget of the exact search in table cells read (0 forces local search)
     * @param rho        1 = single swaps, 2 = also 2-for-2 swaps when no single swap improves, {@link #RHO_AUTO}
     */
    public BestResponsePolicy(long exactLimit, int rho) {
        if (exactLimit < 0) {
            throw new IllegalArgumentException("exactLimit must be >= 0");
        }
        if (rho < RHO_AUTO || rho > 2) {
            throw new IllegalArgumentException("rho must be 0 (auto), 1 or 2, got " + rho);
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
