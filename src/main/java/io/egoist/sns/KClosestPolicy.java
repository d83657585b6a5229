package io.egoist.sns;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/**
 * k-closest: the min(k, candidates) candidates with the best direct link — lowest direct cost for delay,
 * highest direct bandwidth for bandwidth; ties to the lower id. Returned ascending.
 */
public final class KClosestPolicy implements WiringPolicy {
    @Override
    public String name() {
        return "k-closest";
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int k = ServiceTable.degree(problem, cands.length);
        double[] direct = problem.direct();
        boolean bw = problem.metric() == Metric.BANDWIDTH;
        Integer[] boxed = new Integer[cands.length];
        for (int i = 0; i < cands.length; i++) {
            boxed[i] = cands[i];
        }
        Comparator<Integer> byDirect =
                (a, b) -> bw ? Double.compare(direct[b], direct[a]) : Double.compare(direct[a], direct[b]);
        Arrays.sort(boxed, byDirect.thenComparingInt(x -> x));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = boxed[i];
        }
        Arrays.sort(out);
        return out;
    }
}
