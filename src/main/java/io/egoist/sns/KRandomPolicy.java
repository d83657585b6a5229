package io.egoist.sns;

import java.util.Arrays;
import java.util.Random;

/** k-random: min(k, candidates) candidates drawn uniformly without replacement (ascending ids). */
public final class KRandomPolicy implements WiringPolicy {
    @Override
    public String name() {
        return "k-random";
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int k = ServiceTable.degree(problem, cands.length);
        int[] out = Sampling.draw(cands, k, random);
        Arrays.sort(out);
        return out;
    }
}
