package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Costs;
import io.egoist.sns.Graph;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best-response dynamics: in rounds, every node in a fresh random order re-wires given everyone else's current
 * links (a {@link WiringProblem} over the residual graph G − i), until a round changes nothing or the round
 * limit is hit.
 *
 * <p>Adoption rule: a node adopts its policy's answer if it is the node's first decision (the initial wiring
 * is not the policy's choice, e.g. a seeded k-random start), or if it lowers the node's cost C_i strictly
 * (by more than 1e-9 relative). Otherwise it keeps its links. This is what a selfish node does, and it keeps
 * heuristic best responses (local search, sampling) from oscillating between equally good answers. BR(ε)
 * applies its own ε threshold on top (inside the policy, from {@code problem.current()}).
 */
public final class BestResponseDynamics {
    private static final Logger log = LoggerFactory.getLogger(BestResponseDynamics.class);
    private static final double REL_EPS = 1e-9;

    private final LatencyMatrix matrix;
    private final int k;
    private final WiringPolicy policy;
    private final int[][] wiring;
    private final boolean[] decided;
    private final Graph overlay;
    private int rounds;
    private int rewirings;
    private final List<Double> meanCosts = new ArrayList<>();

    public BestResponseDynamics(LatencyMatrix matrix, int k, WiringPolicy policy, int[][] initial) {
        if (initial.length != matrix.size()) {
            throw new IllegalArgumentException(
                    "initial wiring has " + initial.length + " nodes, matrix " + matrix.size());
        }
        this.matrix = matrix;
        this.k = k;
        this.policy = policy;
        this.wiring = Wirings.copy(initial);
        this.decided = new boolean[matrix.size()];
        this.overlay = Wirings.graph(matrix, wiring);
    }

    /**
     * One round: every node re-wires once, in a random order drawn from {@code random} (which the policies
     * also use). Returns the number of nodes whose neighbor set changed.
     */
    public int round(Random random) {
        int n = matrix.size();
        int[] order = permutation(n, random);
        int changed = 0;
        for (int i : order) {
            if (rewire(i, random)) {
                changed++;
            }
        }
        rounds++;
        rewirings += changed;
        return changed;
    }

    /**
     * Rounds until one changes nothing (converged) or {@code maxRounds} rounds ran. The overlay's mean cost
     * (mean over nodes of C_i) after every round is recorded in {@link Result#meanCosts()}.
     */
    public Result run(int maxRounds, Random random) {
        boolean converged = false;
        while (rounds < maxRounds) {
            int changed = round(random);
            meanCosts.add(meanCost(overlay));
            if (changed == 0) {
                converged = true;
                break;
            }
        }
        double[] history = new double[meanCosts.size()];
        for (int i = 0; i < history.length; i++) {
            history[i] = meanCosts.get(i);
        }
        return new Result(rounds, rewirings, converged, history);
    }

    /** Mean over nodes of C_i in a complete overlay. */
    static double meanCost(Graph overlay) {
        double sum = 0;
        double[] c = Costs.nodeCosts(overlay);
        for (double v : c) {
            sum += v;
        }
        return sum / c.length;
    }

    private boolean rewire(int i, Random random) {
        int[] current = wiring[i];
        overlay.clearOutEdges(i);
        WiringProblem problem = WiringProblem.delay(i, k, Wirings.direct(matrix, i), overlay, current.clone());
        int[] chosen = policy.choose(problem, random);
        boolean adopt;
        if (Wirings.sameSet(chosen, current)) {
            adopt = false;
        } else if (!decided[i]) {
            adopt = true;
        } else {
            double oldCost = Costs.cost(problem, current);
            double newCost = Costs.cost(problem, chosen);
            adopt = newCost < oldCost - REL_EPS * Math.abs(oldCost);
        }
        decided[i] = true;
        int[] links = adopt ? chosen.clone() : current;
        for (int j : links) {
            overlay.setEdge(i, j, matrix.rtt(i, j));
        }
        if (adopt) {
            if (log.isDebugEnabled()) {
                log.debug(
                        "event=rewire policy={} k={} node={} old={} new={} old_cost={} new_cost={}",
                        policy.name(),
                        k,
                        matrix.names().get(i),
                        Arrays.toString(current),
                        Arrays.toString(links),
                        Costs.cost(problem, current),
                        Costs.cost(problem, links));
            }
            wiring[i] = links;
        }
        return adopt;
    }

    static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public int[][] wiring() {
        return Wirings.copy(wiring);
    }

    /** The current overlay (a copy). */
    public Graph overlay() {
        return overlay.copy();
    }

    public int rounds() {
        return rounds;
    }

    public int rewirings() {
        return rewirings;
    }

    /**
     * @param rounds    rounds run, including the final one that changed nothing when converged
     * @param rewirings node re-wirings (neighbor set changed) summed over all rounds
     * @param converged whether the last round changed nothing
     * @param meanCosts the overlay's mean cost after each round run by {@link #run} (one per round)
     */
    public record Result(int rounds, int rewirings, boolean converged, double[] meanCosts) {}
}
