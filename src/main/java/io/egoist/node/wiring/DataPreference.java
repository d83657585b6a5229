package io.egoist.node.wiring;

import io.egoist.sns.Costs;
import io.egoist.sns.ShortestPaths;
import io.egoist.sns.WiringProblem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a mixed overlay usable for DATA. A v0.2 node relays link state but no DATA, so a wiring chosen for cost
 * alone can leave a node with only v0.2 neighbors, or with no data-capable path to some of our nodes. Applied to
 * the policy's choice, in two steps:
 *
 * <ol>
 *   <li><b>reach</b>: while swapping one chosen neighbor for a data-capable candidate lets us reach more
 *       data-capable nodes over data-capable paths (our links, then the others' links between nodes that are not
 *       known to lack the data extension), take the swap that reaches most, the cheapest among those. A node
 *       that has data-capable candidates thus always keeps at least one of them as a neighbor;
 *   <li><b>margin</b> (optional): among wirings whose cost is within {@link #MARGIN} of the choice's, prefer
 *       data-capable neighbors: swap a neighbor without the data extension for a data-capable candidate, the
 *       cheapest such swap first, as long as the cost stays within the margin and the reach does not shrink.
 * </ol>
 *
 * Nothing changes when no node of the view is known to lack the data extension (an overlay of our nodes only),
 * so the policy's choice there is exactly the policy's. Pure: no state, no I/O.
 */
public final class DataPreference {
    /** Choices within this fraction of the best cost count as equally good: data-capable ones are preferred. */
    public static final double MARGIN = 0.05;
    /** Only the cheapest this many data-capable candidates (by direct cost) are tried as swaps. */
    public static final int MAX_OPTIONS = 32;

    private final WiringProblem pr;
    private final boolean[] data;
    private final boolean[] legacy;
    private final Map<Integer, double[]> dist = new HashMap<>();

    private DataPreference(WiringProblem pr, boolean[] data, boolean[] legacy) {
        this.pr = pr;
        this.data = data;
        this.legacy = legacy;
    }

    /**
     * The wiring to use instead of {@code chosen} (indices of {@code pr}). {@code dataCapable[j]}: j is a candidate
     * known to speak the data extension; {@code legacy[j]}: j is known not to (v0.2). {@code withMargin}: also
     * the margin step (a full re-wiring), else only the reach step (a repair, or after the noise guard).
     */
    public static int[] apply(
            WiringProblem pr, int[] chosen, boolean[] dataCapable, boolean[] legacy, boolean withMargin) {
        boolean anyLegacy = false, anyData = false;
        for (int j = 0; j < pr.size(); j++) {
            if (j == pr.self()) continue;
            anyLegacy |= legacy[j];
            anyData |= dataCapable[j] && !Double.isNaN(pr.direct()[j]);
        }
        if (!anyLegacy || !anyData || chosen.length == 0) return chosen;
        DataPreference d = new DataPreference(pr, dataCapable, legacy);
        int[] set = chosen.clone();
        double base = d.cost(set);
        List<Integer> options = d.options();
        set = d.reach(set, options);
        return withMargin ? d.margin(set, options, base) : set;
    }

    /** The data-capable candidates to try, cheapest direct cost first, at most {@link #MAX_OPTIONS}. */
    private List<Integer> options() {
        List<Integer> o = new ArrayList<>();
        for (int j = 0; j < pr.size(); j++) if (j != pr.self() && data[j] && !Double.isNaN(pr.direct()[j])) o.add(j);
        o.sort(Comparator.comparingDouble(j -> pr.direct()[j]));
        return o.size() > MAX_OPTIONS ? o.subList(0, MAX_OPTIONS) : o;
    }

    private int[] reach(int[] set, List<Integer> options) {
        for (int round = 0; round < set.length; round++) {
            int now = reached(set);
            int[] best = null;
            int bestReach = now;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int i = 0; i < set.length; i++) {
                for (int o : options) {
                    if (contains(set, o)) continue;
                    int[] s = swapped(set, i, o);
                    int r = reached(s);
                    if (r <= now || r < bestReach) continue;
                    double c = cost(s);
                    if (r > bestReach || c < bestCost) {
                        best = s;
                        bestReach = r;
                        bestCost = c;
                    }
                }
            }
            if (best == null) break;
            set = best;
        }
        return set;
    }

    private int[] margin(int[] set, List<Integer> options, double base) {
        double limit = base * (1 + MARGIN);
        for (int round = 0; round < set.length; round++) {
            int now = reached(set);
            int[] best = null;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int i = 0; i < set.length; i++) {
                if (data[set[i]]) continue;
                for (int o : options) {
                    if (contains(set, o)) continue;
                    int[] s = swapped(set, i, o);
                    double c = cost(s);
                    if (c <= limit && c < bestCost && reached(s) >= now) {
                        best = s;
                        bestCost = c;
                    }
                }
            }
            if (best == null) break;
            set = best;
        }
        return set;
    }

    /**
     * How many nodes not known to lack the data extension {@code set} reaches over data-capable paths: our links
     * to its data-capable members, then the others' links between such nodes.
     */
    int reached(int[] set) {
        int n = pr.size();
        boolean[] seen = new boolean[n];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int s : set) {
            if (data[s] && !seen[s]) {
                seen[s] = true;
                queue.add(s);
            }
        }
        int count = 0;
        while (!queue.isEmpty()) {
            int u = queue.poll();
            count++;
            for (int v : pr.residual().outNeighbors(u)) {
                if (v == pr.self() || seen[v] || legacy[v]) continue;
                seen[v] = true;
                queue.add(v);
            }
        }
        return count;
    }

    /** C_i (as a sum over the destinations, the measured live nodes) of wiring {@code set}. */
    double cost(int[] set) {
        int n = pr.size();
        double[] best = new double[n];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int s : set) {
            double[] d = dist.computeIfAbsent(s, x -> ShortestPaths.distances(pr.residual(), x));
            for (int j = 0; j < n; j++) best[j] = Math.min(best[j], pr.direct()[s] + d[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            if (j == pr.self() || Double.isNaN(pr.direct()[j])) continue;
            sum += best[j] < Double.POSITIVE_INFINITY ? best[j] : Costs.UNREACHABLE_PENALTY;
        }
        return sum;
    }

    private static boolean contains(int[] set, int x) {
        for (int s : set) if (s == x) return true;
        return false;
    }

    private static int[] swapped(int[] set, int i, int o) {
        int[] s = set.clone();
        s[i] = o;
        return s;
    }
}
