package io.egoist.sns;

import java.util.Random;

/** full-mesh: every candidate (k is ignored) — the RON-style lower bound on cost. */
public final class FullMeshPolicy implements WiringPolicy {
    @Override
    public String name() {
        return "full-mesh";
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        return ServiceTable.candidates(problem);
    }
}
