package io.egoist.sns;

import java.util.Arrays;

/** The shared best-response engine behind br, br-eps, hybrid-br and sampling-br. */
final class BestResponse {
    private BestResponse() {}

    /** Relative tolerance under which a different wiring does not count as better than the current one. */
    static final double TIE_TOL = 1e-9;

    /** Chosen free rows, their objective (fixed rows included), and the current wiring's (NaN if none). */
    record Result(int[] rows, double objective, double currentObjective, boolean exact) {}

    /**
     * Best {@code k} free rows of {@code t} given always-open {@code fixedRows}. Greedy + single-swap local search
     * (also started from {@code currentRows} when given, keeping the better) gives an incumbent; a branch and
     * bound then proves it optimal or finds the optimum within {@code exactBudget} table cells read (0 skips
     * it). When the budget runs out, 2-for-2 swaps improve the best set found if {@code rho} asks for them
     * ({@link BestResponsePolicy#RHO_AUTO}: when one pass of them costs at most the budget). The current wiring
     * (if given) is returned unless strictly better (beyond {@link #TIE_TOL}) was found, so best-response
     * dynamics can settle.
     */
    static Result solve(ServiceTable t, int[] fixedRows, int k, int[] currentRows, long exactBudget, int rho) {
        KMedian km = new KMedian(t, fixedRows);
        int free = km.freeRows();
        k = Math.min(k, free);
        int[] rows = km.localSearch(km.greedy(k), 1);
        if (currentRows != null && currentRows.length == k) {
            int[] fromCurrent = km.localSearch(currentRows, 1);
            if (km.objective(fromCurrent) < km.objective(rows)) {
                rows = fromCurrent;
            }
        }
        boolean exact = false;
        if (exactBudget > 0) {
            KMedian.Exact e = km.branchAndBound(k, rows, exactBudget);
            rows = e.rows();
            exact = e.proved();
        }
        if (!exact && twoSwaps(rho, k, free, t.cols(), exactBudget)) {
            rows = km.localSearch(rows, 2);
        }
        double obj = km.objective(rows);
        double curObj = Double.NaN;
        if (currentRows != null && currentRows.length == k) {
            curObj = km.objective(currentRows);
            if (curObj <= obj + TIE_TOL * Math.max(1.0, Math.abs(obj))) {
                rows = currentRows.clone();
                obj = curObj;
            }
        }
        return new Result(rows, obj, curObj, exact);
    }

    /** Whether to run 2-for-2 swaps: always (ρ = 2), never (ρ = 1), or when one pass fits the budget (auto). */
    static boolean twoSwaps(int rho, int k, int free, int destinations, long budget) {
        if (rho != BestResponsePolicy.RHO_AUTO) {
            return rho >= 2;
        }
        if (k < 2) {
            return false;
        }
        double pass = (double) KMedian.binomial(k, 2) * KMedian.binomial(free - k, 2) * destinations;
        return pass <= budget;
    }

    /**
     * The rows of {@code current} in {@code t} if it is a usable wiring of exactly {@code k} distinct free
     * candidates (none of them fixed), else null.
     */
    static int[] currentRows(ServiceTable t, int[] current, int k, boolean[] fixedRow) {
        if (current == null || current.length != k) {
            return null;
        }
        int[] rows = new int[k];
        for (int i = 0; i < k; i++) {
            int r = t.rowOf(current[i]);
            if (r < 0 || (fixedRow != null && fixedRow[r])) {
                return null;
            }
            for (int j = 0; j < i; j++) {
                if (rows[j] == r) {
                    return null;
                }
            }
            rows[i] = r;
        }
        return rows;
    }

    static int[] idsSorted(ServiceTable t, int[] rows) {
        int[] ids = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            ids[i] = t.cand[rows[i]];
        }
        Arrays.sort(ids);
        return ids;
    }
}
