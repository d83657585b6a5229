package io.egoist.sns;

import java.util.Arrays;
import java.util.Random;

/**
 * br-eps: compute the best response as {@code br} does, but keep the current wiring unless the best found is
 * better by more than a fraction ε of the current cost: delay re-wires iff
 * {@code cost(current) − cost(best) > ε · cost(current)}; bandwidth iff
 * {@code value(best) − value(current) > ε · value(current)}. When the current wiring is not a valid set of
 * min(k, candidates) distinct candidates (e.g. a neighbor died), the best response is returned.
 */
public final class BrEpsilonPolicy implements WiringPolicy {
    public static final double DEFAULT_EPSILON = 0.1;

    private final double epsilon;
    private final long exactLimit;
    private final int rho;

    public BrEpsilonPolicy(double epsilon) {
        this(epsilon, BestResponsePolicy.DEFAULT_EXACT_BUDGET, BestResponsePolicy.RHO_AUTO);
    }

    public BrEpsilonPolicy(double epsilon, long exactLimit, int rho) {
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        this.epsilon = epsilon;
        this.exactLimit = exactLimit;
        this.rho = rho;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public String name() {
        return "br-eps";
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int k = Math.min(problem.k(), cands.length);
        if (k <= 0) {
            return new int[0];
        }
        ServiceTable t = ServiceTable.build(problem, cands);
        int[] cur = BestResponse.currentRows(t, problem.current(), k, null);
        BestResponse.Result r = BestResponse.solve(t, new int[0], k, cur, exactLimit, rho);
        if (cur != null) {
            double gain = r.currentObjective() - r.objective();
            if (!(gain > epsilon * Math.abs(r.currentObjective()))) {
                int[] keep = problem.current().clone();
                Arrays.sort(keep);
                return keep;
            }
        }
        return BestResponse.idsSorted(t, r.rows());
    }

    @Override
    public String toString() {
        return "br-eps(" + epsilon + ")";
    }
}
