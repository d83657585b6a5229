package io.egoist.sns;

import java.util.Arrays;

/**
 * Solves the best-response k-median over a {@link ServiceTable}: choose {@code k} free rows (plus the always-open
 * {@code fixed} rows) minimising the sum over destinations of the minimum loss. Exact enumeration, greedy, and
 * swap local search (1-swaps with O(rows · destinations) evaluation of the whole swap neighbourhood, optional
 * 2-swaps). Deterministic: ties go to the lowest row index / the first found.
 */
final class KMedian {
    /** Relative improvement below which a swap is not taken (guards against float noise cycling). */
    static final double REL_TOL = 1e-12;

    private final ServiceTable t;
    private final int m;
    private final int nd;
    private final double[] loss;
    /** Per destination: the loss with only the fixed rows open (or the "nobody serves" loss). */
    private final double[] base;

    private final boolean[] isFixed;

    KMedian(ServiceTable t, int[] fixedRows) {
        this.t = t;
        this.m = t.rows();
        this.nd = t.cols();
        this.loss = t.loss;
        this.base = t.empty.clone();
        this.isFixed = new boolean[m];
        for (int r : fixedRows) {
            isFixed[r] = true;
            for (int d = 0; d < nd; d++) {
                double v = loss[r * nd + d];
                if (v < base[d]) {
                    base[d] = v;
                }
            }
        }
    }

    /** Number of rows that may be chosen (not fixed). */
    int freeRows() {
        int c = 0;
        for (boolean f : isFixed) {
            if (!f) {
                c++;
            }
        }
        return c;
    }

    boolean isFixed(int row) {
        return isFixed[row];
    }

    /** Objective with the fixed rows plus {@code rows}. */
    double objective(int[] rows) {
        double sum = 0;
        for (int d = 0; d < nd; d++) {
            double best = base[d];
            for (int r : rows) {
                double v = loss[r * nd + d];
                if (v < best) {
                    best = v;
                }
            }
            sum += best;
        }
        return sum;
    }

    /** C(n, k), saturating at Long.MAX_VALUE. */
    static long binomial(int n, int k) {
        if (k < 0 || k > n) {
            return 0;
        }
        k = Math.min(k, n - k);
        long r = 1;
        for (int i = 1; i <= k; i++) {
            // r * (n - k + i) / i stays exact: r is C(n-k+i-1, i-1)
            long num = n - k + i;
            if (r > Long.MAX_VALUE / num) {
                return Long.MAX_VALUE;
            }
            r = r * num / i;
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // Exact: depth-first branch and bound over k-subsets of the free rows. Rows are ordered best single row
    // first. At a node with prefix P (objective obj(P)) every remaining row r has a gain g_r(P) = sum_d
    // max(0, cur_d - L[r][d]); gains only shrink as rows are added (submodularity), so a subtree that adds
    // row j and then r - 1 rows after j costs at least obj(P) - g_j - (the r - 1 largest gains after j).
    // Subtrees whose bound cannot beat the incumbent by more than REL_TOL are skipped.

    /** The best rows found and whether the search finished within its budget (then they are optimal). */
    record Exact(int[] rows, boolean proved, long work) {}

    /**
     * Exact k-median by branch and bound, starting from {@code incumbent} (may be null) as the upper bound.
     * {@code budget} caps the work in table cells read (rows evaluated × destinations); when it runs out the
     * best set found so far (never worse than the incumbent) is returned with {@code proved = false}.
     */
    Exact branchAndBound(int k, int[] incumbent, long budget) {
        int[] free = freeList();
        if (k <= 0) {
            return new Exact(new int[0], true, 0);
        }
        if (k >= free.length) {
            return new Exact(free, true, 0);
        }
        Search s = new Search(free, k, budget);
        if (incumbent != null && incumbent.length == k) {
            s.bestVal = objective(incumbent);
            s.bestRows = incumbent.clone();
        }
        double rootObj = 0;
        for (int d = 0; d < nd; d++) {
            rootObj += base[d];
        }
        s.run(0, 0, rootObj);
        return new Exact(s.bestRows, !s.aborted, s.work);
    }

    /**
     * Σ_d max(0, cur_d − L[row][d]) for the row at {@code off}; four independent sums so the CPU can overlap the
     * additions (the hot loop of the exact search).
     */
    private double gain(int off, double[] cur) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int d = 0;
        for (; d + 3 < nd; d += 4) {
            s0 += Math.max(cur[d] - loss[off + d], 0.0);
            s1 += Math.max(cur[d + 1] - loss[off + d + 1], 0.0);
            s2 += Math.max(cur[d + 2] - loss[off + d + 2], 0.0);
            s3 += Math.max(cur[d + 3] - loss[off + d + 3], 0.0);
        }
        for (; d < nd; d++) {
            s0 += Math.max(cur[d] - loss[off + d], 0.0);
        }
        return (s0 + s1) + (s2 + s3);
    }

    private final class Search {
        final int[] ord;
        final int k;
        final long budget;
        final double[][] level;
        final double[][] gains;
        final double[][] top;
        final int[] pick;
        final double[] heap;
        double bestVal = Double.POSITIVE_INFINITY;
        int[] bestRows;
        long work;
        boolean aborted;

        Search(int[] free, int k, long budget) {
            this.k = k;
            this.budget = budget;
            int f = free.length;
            double[] single = new double[f];
            Integer[] idx = new Integer[f];
            for (int i = 0; i < f; i++) {
                single[i] = objective(new int[] {free[i]});
                idx[i] = i;
            }
            work = (long) f * nd;
            Arrays.sort(
                    idx,
                    (a, b) -> a.equals(b) ? 0 : single[a] != single[b] ? Double.compare(single[a], single[b]) : a - b);
            ord = new int[f];
            for (int i = 0; i < f; i++) {
                ord[i] = free[idx[i]];
            }
            level = new double[k + 1][];
            level[0] = base;
            for (int i = 1; i <= k; i++) {
                level[i] = new double[nd];
            }
            gains = new double[k][f];
            top = new double[k][f];
            pick = new int[k];
            heap = new double[k];
        }

        private boolean improves(double v) {
            return v < bestVal - (Double.isInfinite(bestVal) ? 0 : REL_TOL * Math.max(1.0, Math.abs(bestVal)));
        }

        void run(int t, int s, double curObj) {
            double[] cur = level[t];
            int f = ord.length;
            int r = k - t;
            work += (long) (f - s) * nd;
            if (work > budget) {
                aborted = true;
                return;
            }
            double[] g = gains[t];
            for (int j = s; j < f; j++) {
                g[j] = gain(ord[j] * nd, cur);
            }
            if (r == 1) {
                for (int j = s; j < f; j++) {
                    double v = curObj - g[j];
                    if (improves(v)) {
                        bestVal = v;
                        pick[t] = j;
                        bestRows = new int[k];
                        for (int i = 0; i < k; i++) {
                            bestRows[i] = ord[pick[i]];
                        }
                    }
                }
                return;
            }
            // tp[j] = sum of the r - 1 largest gains among indices > j (a small ascending array, min first)
            double[] tp = top[t];
            int size = 0;
            double sum = 0;
            for (int j = f - 1; j >= s; j--) {
                tp[j] = sum;
                double v = g[j];
                if (size < r - 1) {
                    int i = size++;
                    while (i > 0 && heap[i - 1] > v) {
                        heap[i] = heap[i - 1];
                        i--;
                    }
                    heap[i] = v;
                    sum += v;
                } else if (v > heap[0]) {
                    sum += v - heap[0];
                    int i = 0;
                    while (i + 1 < size && heap[i + 1] < v) {
                        heap[i] = heap[i + 1];
                        i++;
                    }
                    heap[i] = v;
                }
            }
            double[] next = level[t + 1];
            for (int j = s; j <= f - r; j++) {
                if (!improves(curObj - g[j] - tp[j])) {
                    continue;
                }
                int off = ord[j] * nd;
                for (int d = 0; d < nd; d++) {
                    double v = loss[off + d];
                    next[d] = v < cur[d] ? v : cur[d];
                }
                pick[t] = j;
                run(t + 1, j + 1, curObj - g[j]);
                if (aborted) {
                    return;
                }
            }
        }
    }

    private int[] freeList() {
        int[] free = new int[m];
        int c = 0;
        for (int r = 0; r < m; r++) {
            if (!isFixed[r]) {
                free[c++] = r;
            }
        }
        return Arrays.copyOf(free, c);
    }

    // ---------------------------------------------------------------------------------------------
    // Greedy: add, k times, the free row that lowers the objective most.

    int[] greedy(int k) {
        int[] free = freeList();
        k = Math.min(k, free.length);
        double[] best = base.clone();
        boolean[] taken = new boolean[m];
        int[] out = new int[k];
        for (int s = 0; s < k; s++) {
            int arg = -1;
            double argGain = -1;
            for (int r : free) {
                if (taken[r]) {
                    continue;
                }
                int off = r * nd;
                double gain = 0;
                for (int d = 0; d < nd; d++) {
                    double v = loss[off + d];
                    if (v < best[d]) {
                        gain += best[d] - v;
                    }
                }
                if (gain > argGain) {
                    argGain = gain;
                    arg = r;
                }
            }
            taken[arg] = true;
            out[s] = arg;
            int off = arg * nd;
            for (int d = 0; d < nd; d++) {
                double v = loss[off + d];
                if (v < best[d]) {
                    best[d] = v;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Local search. 1-swap neighbourhood evaluated in O(m · nd) per pass: with best/second-best serving
    // loss and the owning slot per destination, delta(u, w) = A(w) + B(u, w) where
    //   A(w)    = sum_j min(0, L[w][j] - best_j)                       (what adding w gains)
    //   B(u, w) = sum_{j owned by u, L[w][j] >= best_j} (min(L[w][j], second_j) - best_j)   (what dropping u costs)

    /** Improves {@code start} (distinct free rows) by best-improvement swaps until none helps; then ρ=2 swaps if asked. */
    int[] localSearch(int[] start, int rho) {
        int k = start.length;
        int[] sel = start.clone();
        if (k == 0) {
            return sel;
        }
        boolean[] in = new boolean[m];
        for (int r : sel) {
            in[r] = true;
        }
        double[] best = new double[nd];
        double[] second = new double[nd];
        int[] owner = new int[nd];
        double[] bcost = new double[k];
        while (true) {
            double cur = serve(sel, best, second, owner);
            double tol = REL_TOL * Math.max(1.0, Math.abs(cur));
            double bestDelta = -tol;
            int bu = -1;
            int bw = -1;
            for (int w = 0; w < m; w++) {
                if (in[w] || isFixed[w]) {
                    continue;
                }
                int off = w * nd;
                double a = 0;
                Arrays.fill(bcost, 0.0);
                for (int d = 0; d < nd; d++) {
                    double v = loss[off + d];
                    double b = best[d];
                    if (v < b) {
                        a += v - b;
                    } else {
                        int o = owner[d];
                        if (o >= 0) {
                            double s = second[d];
                            bcost[o] += (v < s ? v : s) - b;
                        }
                    }
                }
                for (int u = 0; u < k; u++) {
                    double delta = a + bcost[u];
                    if (delta < bestDelta) {
                        bestDelta = delta;
                        bu = u;
                        bw = w;
                    }
                }
            }
            if (bu >= 0) {
                in[sel[bu]] = false;
                sel[bu] = bw;
                in[bw] = true;
                continue;
            }
            if (rho >= 2 && k >= 2 && twoSwap(sel, in, cur, tol)) {
                continue;
            }
            return sel;
        }
    }

    /** Fills best/second/owner for the selection; returns the objective. */
    private double serve(int[] sel, double[] best, double[] second, int[] owner) {
        double sum = 0;
        int k = sel.length;
        for (int d = 0; d < nd; d++) {
            double b = base[d];
            double s = Double.POSITIVE_INFINITY;
            int o = -1;
            for (int slot = 0; slot < k; slot++) {
                double v = loss[sel[slot] * nd + d];
                if (v < b) {
                    s = b;
                    b = v;
                    o = slot;
                } else if (v < s) {
                    s = v;
                }
            }
            best[d] = b;
            second[d] = s;
            owner[d] = o;
            sum += b;
        }
        return sum;
    }

    /** First improving 2-for-2 swap, applied in place; false when none improves. O(k² · m² · nd). */
    private boolean twoSwap(int[] sel, boolean[] in, double cur, double tol) {
        int k = sel.length;
        double[] rest = new double[nd];
        for (int u1 = 0; u1 < k; u1++) {
            for (int u2 = u1 + 1; u2 < k; u2++) {
                for (int d = 0; d < nd; d++) {
                    double b = base[d];
                    for (int s = 0; s < k; s++) {
                        if (s != u1 && s != u2) {
                            double v = loss[sel[s] * nd + d];
                            if (v < b) {
                                b = v;
                            }
                        }
                    }
                    rest[d] = b;
                }
                for (int w1 = 0; w1 < m; w1++) {
                    if (in[w1] || isFixed[w1]) {
                        continue;
                    }
                    for (int w2 = w1 + 1; w2 < m; w2++) {
                        if (in[w2] || isFixed[w2]) {
                            continue;
                        }
                        int o1 = w1 * nd;
                        int o2 = w2 * nd;
                        double sum = 0;
                        for (int d = 0; d < nd; d++) {
                            double v = Math.min(rest[d], Math.min(loss[o1 + d], loss[o2 + d]));
                            sum += v;
                        }
                        if (sum < cur - tol) {
                            in[sel[u1]] = false;
                            in[sel[u2]] = false;
                            sel[u1] = w1;
                            sel[u2] = w2;
                            in[w1] = true;
                            in[w2] = true;
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }
}
