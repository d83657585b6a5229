package io.egoist.sns;

import java.util.Arrays;
import java.util.Random;

/**
 * hybrid-br: k2 "donated" ring links plus k1 = k − k2 links chosen by best response.
 *
 * <p>Ring rule: order the candidates cyclically by id starting after i (succ_1 is the first candidate id
 * clockwise from i, succ_c the last). Donated link number d = 1..k2 belongs to ring r = ⌈d/2⌉: odd d links
 * i → succ_r (the r-th candidate clockwise), even d links i → succ_{c+1−r} (the r-th counter-clockwise).
 * So k2 = 2 forms one bidirectional ring (i±1), k2 = 4 two rings (i±1, i±2), and an odd k2 adds a one-way
 * ring. Because the ring is over live candidates, a newcomer is spliced in automatically: its predecessor's
 * "succ_1" becomes the newcomer, which links to the old successor. Duplicates (tiny overlays) are dropped.
 *
 * <p>The effective k2 is min(k2, k − 1) so at least one link is BR's (default k2 = 2: k = 2 gives one
 * clockwise ring link). The k1 BR links are the best response given the donated links (which serve
 * destinations too); swaps happen only among the k1 links. Returned: donated links first (ring order), then
 * the BR links ascending.
 */
public final class HybridBrPolicy implements WiringPolicy {
    private final int k2;
    private final long exactLimit;
    private final int rho;

    public HybridBrPolicy(int k2) {
        this(k2, BestResponsePolicy.DEFAULT_EXACT_BUDGET, BestResponsePolicy.RHO_AUTO);
    }

    public HybridBrPolicy(int k2, long exactLimit, int rho) {
        if (k2 < 0) {
            throw new IllegalArgumentException("k2 must be >= 0, got " + k2);
        }
        this.k2 = k2;
        this.exactLimit = exactLimit;
        this.rho = rho;
    }

    public int k2() {
        return k2;
    }

    @Override
    public String name() {
        return "hybrid-br";
    }

    /** The donated ring links node {@code problem.self()} would use (a subset of the result of choose). */
    public int[] donated(WiringProblem problem) {
        int[] cands = ServiceTable.candidates(problem);
        int k = ServiceTable.degree(problem, cands.length);
        return donated(problem, cands, k);
    }

    private int[] donated(WiringProblem problem, int[] cands, int k) {
        int want = Math.min(k2, k - 1);
        int c = cands.length;
        if (want <= 0 || c == 0) {
            return new int[0];
        }
        int n = problem.size();
        int self = problem.self();
        // cands ascending; clockwise order starts at the first candidate id > self.
        int start = 0;
        while (start < c && cands[start] < self) {
            start++;
        }
        int[] succ = new int[c];
        for (int i = 0; i < c; i++) {
            succ[i] = cands[(start + i) % c];
        }
        int[] out = new int[want];
        int count = 0;
        for (int d = 1; d <= want; d++) {
            int r = (d + 1) / 2;
            if (r > c) {
                break;
            }
            int target = (d % 2 == 1) ? succ[r - 1] : succ[c - r];
            boolean dup = false;
            for (int i = 0; i < count; i++) {
                dup |= out[i] == target;
            }
            if (!dup) {
                out[count++] = target;
            }
        }
        assert n > 0;
        return Arrays.copyOf(out, count);
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int k = ServiceTable.degree(problem, cands.length);
        if (k == 0) {
            return new int[0];
        }
        int[] ring = donated(problem, cands, k);
        int k1 = k - ring.length;
        if (k1 == 0) {
            return ring;
        }
        ServiceTable t = ServiceTable.build(problem, cands);
        int[] fixedRows = new int[ring.length];
        boolean[] fixed = new boolean[cands.length];
        for (int i = 0; i < ring.length; i++) {
            fixedRows[i] = t.rowOf(ring[i]);
            fixed[fixedRows[i]] = true;
        }
        int[] cur = currentFreeRows(t, problem.current(), fixed, k1);
        BestResponse.Result r = BestResponse.solve(t, fixedRows, k1, cur, exactLimit, rho);
        int[] brIds = BestResponse.idsSorted(t, r.rows());
        int[] out = Arrays.copyOf(ring, k);
        System.arraycopy(brIds, 0, out, ring.length, brIds.length);
        return out;
    }

    /** The current links that are not donated ones, as rows, if they form a valid k1-set. */
    private static int[] currentFreeRows(ServiceTable t, int[] current, boolean[] fixed, int k1) {
        if (current == null) {
            return null;
        }
        int[] rest = new int[current.length];
        int c = 0;
        for (int id : current) {
            int r = t.rowOf(id);
            if (r < 0 || !fixed[r]) {
                rest[c++] = id;
            }
        }
        return BestResponse.currentRows(t, Arrays.copyOf(rest, c), k1, fixed);
    }

    @Override
    public String toString() {
        return "hybrid-br(k2=" + k2 + ")";
    }
}
