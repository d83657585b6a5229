package io.egoist.sns;

import java.util.Random;

/**
 * k-regular (Chord-like): node i links to (i + o_j) mod n for j = 1..k with
 * o_j = 1 + (j − 1)·⌊(n − 1)/(k + 1)⌋. When that target is not a candidate (dead/unknown), is i itself, or
 * was already chosen (offsets collide when k ≥ n − 1), the next id clockwise that is an unchosen candidate is
 * taken instead. Returned in j order (not sorted). n is the problem size (the id space).
 */
public final class KRegularPolicy implements WiringPolicy {
    @Override
    public String name() {
        return "k-regular";
    }

    /** The offset o_j (1-based j) for id space n and degree k. */
    public static int offset(int j, int n, int k) {
        return 1 + (j - 1) * ((n - 1) / (k + 1));
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int k = ServiceTable.degree(problem, cands.length);
        int n = problem.size();
        int self = problem.self();
        boolean[] ok = new boolean[n];
        for (int c : cands) {
            ok[c] = true;
        }
        int[] out = new int[k];
        for (int j = 1; j <= k; j++) {
            int t = (int) ((self + (long) offset(j, n, problem.k())) % n);
            while (!ok[t]) {
                t = (t + 1) % n;
            }
            ok[t] = false; // taken
            out[j - 1] = t;
        }
        return out;
    }
}
