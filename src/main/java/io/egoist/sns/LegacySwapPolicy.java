package io.egoist.sns;

import java.util.Random;

/**
 * legacy-swap: the EGOIST v0.2 node's one local-search step per epoch.
 *
 * <ol>
 *   <li>Start from the current neighbors that are still candidates (order kept, duplicates dropped, at most k).
 *       If fewer than min(k, candidates) remain, fill with the lowest-id candidates not yet chosen (v0.2 took
 *       "the first k nodes" of its view).</li>
 *   <li>Pick one neighbor uniformly at random; try every non-neighbor candidate in its place; if the best
 *       replacement lowers C_i (raises the bandwidth value), take it, in the same position.</li>
 * </ol>
 * Costs are evaluated with the same precomputed table as br (one Dijkstra per candidate).
 */
public final class LegacySwapPolicy implements WiringPolicy {
    @Override
    public String name() {
        return "legacy-swap";
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int k = ServiceTable.degree(problem, cands.length);
        if (k == 0) {
            return new int[0];
        }
        int n = problem.size();
        boolean[] chosen = new boolean[n];
        int[] sel = new int[k];
        int count = 0;
        if (problem.current() != null) {
            for (int id : problem.current()) {
                if (count < k && ServiceTable.isCandidate(problem, id) && !chosen[id]) {
                    chosen[id] = true;
                    sel[count++] = id;
                }
            }
        }
        for (int i = 0; count < k && i < cands.length; i++) {
            if (!chosen[cands[i]]) {
                chosen[cands[i]] = true;
                sel[count++] = cands[i];
            }
        }
        if (k == cands.length) {
            return sel;
        }
        ServiceTable t = ServiceTable.build(problem, cands);
        int[] rows = new int[k];
        for (int i = 0; i < k; i++) {
            rows[i] = t.rowOf(sel[i]);
        }
        int slot = random.nextInt(k);
        double current = t.objective(rows, k);
        double best = current;
        int bestRow = -1;
        int keep = rows[slot];
        for (int r = 0; r < cands.length; r++) {
            if (chosen[cands[r]]) {
                continue;
            }
            rows[slot] = r;
            double v = t.objective(rows, k);
            if (v < best - KMedian.REL_TOL * Math.max(1.0, Math.abs(best))) {
                best = v;
                bestRow = r;
            }
        }
        rows[slot] = keep;
        if (bestRow >= 0) {
            sel[slot] = t.cand[bestRow];
        }
        return sel;
    }
}
