package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Costs;
import io.egoist.sns.Graph;
import io.egoist.sns.Overlays;
import io.egoist.sns.Policies;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds, for every k and policy, the overlay where all nodes use that policy, and compares their costs.
 *
 * <ul>
 *   <li>Heuristics (k-random, k-closest, k-regular): one shot, every node chooses once; for k-random and
 *   k-closest, when the overlay is not strongly connected, a cycle is forced through all nodes (sns
 *   {@code Overlays.forceCycle}: each node's link to its id successor replaces its worst link).</li>
 *   <li>BR variants (br, br-eps, hybrid-br, legacy-swap, sampling-br): {@link BestResponseDynamics} from a
 *   seeded k-random start (the same start for every BR variant at a given k) until a round changes nothing
 *   or {@code maxRounds}.</li>
 *   <li>Full mesh: every node links to all others (independent of k).</li>
 * </ul>
 * BR and the full mesh are always computed (the ratios need them); only the requested policies are returned.
 * Every cell has its own seeded Random derived from (seed, k, policy), so results do not depend on the thread
 * count, on the order cells run in, or on which other policies are requested.
 */
public final class PolicyComparison {

    public static final Set<String> BR_VARIANTS = Set.of("br", "br-eps", "hybrid-br", "legacy-swap", "sampling-br");
    public static final Set<String> FORCED_CYCLE = Set.of("k-random", "k-closest");
    public static final String FULL_MESH = "full-mesh";

    private PolicyComparison() {}

    public record Config(
            LatencyMatrix matrix, List<Integer> ks, List<String> policies, long seed, int maxRounds, int threads) {}

    /** One computed overlay before ratios. */
    record Cell(
            int k, String policy, double meanCost, double socialCost, int rounds, int rewirings, boolean converged) {}

    /**
     * Runs every cell; {@code progress} receives a label ({@code k=4 policy=br}) as each cell finishes.
     * Results in the order: k ascending, then policies as requested.
     */
    public static List<PolicyResult> run(Config config, Consumer<String> progress) {
        validate(config);
        List<String[]> tasks = new ArrayList<>(); // {k, policy}; full mesh once with k = -1
        for (int k : config.ks()) {
            Set<String> here = new LinkedHashSet<>();
            here.add("br");
            for (String p : config.policies()) {
                if (!p.equals(FULL_MESH)) {
                    here.add(p);
                }
            }
            for (String p : here) {
                tasks.add(new String[] {String.valueOf(k), p});
            }
        }
        tasks.add(new String[] {"-1", FULL_MESH});

        List<Cell> computed = Parallel.map(
                tasks,
                config.threads(),
                t -> cell(config, Integer.parseInt(t[0]), t[1]),
                t -> t[0].equals("-1") ? "policy=" + t[1] : "k=" + t[0] + " policy=" + t[1],
                progress);
        Map<String, Cell> cells = new HashMap<>();
        for (Cell c : computed) {
            cells.put(c.k() + "/" + c.policy(), c);
        }

        Cell mesh = cells.get("-1/" + FULL_MESH);
        List<PolicyResult> out = new ArrayList<>();
        for (int k : config.ks()) {
            Cell br = cells.get(k + "/br");
            for (String p : config.policies()) {
                Cell c = p.equals(FULL_MESH) ? mesh : cells.get(k + "/" + p);
                out.add(new PolicyResult(
                        k,
                        p,
                        c.meanCost(),
                        c.socialCost(),
                        c.meanCost() / br.meanCost(),
                        c.meanCost() / mesh.meanCost(),
                        c.rounds(),
                        c.rewirings(),
                        c.converged()));
            }
        }
        return out;
    }

    static void validate(Config config) {
        int n = config.matrix().size();
        if (n < 3) {
            throw new IllegalArgumentException("need at least 3 nodes, the matrix has " + n);
        }
        for (int k : config.ks()) {
            if (k < 1 || k >= n) {
                throw new IllegalArgumentException("k=" + k + " out of range: need 1 <= k <= n-1 = " + (n - 1));
            }
        }
        for (String p : config.policies()) {
            if (!Policies.NAMES.contains(p)) {
                throw new IllegalArgumentException(
                        "unknown policy \"" + p + "\"; known: " + String.join(",", Policies.NAMES));
            }
        }
        if (config.maxRounds() < 1) {
            throw new IllegalArgumentException("max rounds must be >= 1, got " + config.maxRounds());
        }
    }

    static Cell cell(Config config, int k, String policyName) {
        LatencyMatrix m = config.matrix();
        if (policyName.equals(FULL_MESH)) {
            return summarize(k, policyName, fullMesh(m), 0, 0, true);
        }
        WiringPolicy policy = Policies.byName(policyName);
        Random random = new Random(Wirings.seedFor(config.seed(), k, policyName));
        if (BR_VARIANTS.contains(policyName)) {
            int[][] start = kRandomStart(m, k, config.seed());
            BestResponseDynamics dyn = new BestResponseDynamics(m, k, policy, start);
            BestResponseDynamics.Result r = dyn.run(config.maxRounds(), random);
            return summarize(k, policyName, dyn.overlay(), r.rounds(), r.rewirings(), r.converged());
        }
        int[][] wiring = oneShot(m, k, policy, random);
        if (FORCED_CYCLE.contains(policyName)) {
            wiring = Overlays.forceCycle(wiring, m.toArray());
        }
        return summarize(k, policyName, Wirings.graph(m, wiring), 0, 0, true);
    }

    /** The seeded k-random wiring every BR variant starts from at this k. */
    public static int[][] kRandomStart(LatencyMatrix m, int k, long seed) {
        return oneShot(m, k, Policies.byName("k-random"), new Random(Wirings.seedFor(seed, k, "initial-wiring")));
    }

    /** Every node chooses once with {@code policy}, ignoring the others (the residual is empty). */
    public static int[][] oneShot(LatencyMatrix m, int k, WiringPolicy policy, Random random) {
        int n = m.size();
        Graph empty = new Graph(n);
        int[][] wiring = new int[n][];
        for (int i = 0; i < n; i++) {
            wiring[i] = policy.choose(WiringProblem.delay(i, k, Wirings.direct(m, i), empty, new int[0]), random);
        }
        return wiring;
    }

    /** The full mesh: every node links to every other. */
    public static Graph fullMesh(LatencyMatrix m) {
        int n = m.size();
        Graph g = new Graph(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    g.setEdge(i, j, m.rtt(i, j));
                }
            }
        }
        return g;
    }

    static Cell summarize(int k, String policy, Graph overlay, int rounds, int rewirings, boolean converged) {
        double[] c = Costs.nodeCosts(overlay);
        double sum = 0;
        for (double v : c) {
            sum += v;
        }
        return new Cell(k, policy, sum / c.length, sum, rounds, rewirings, converged);
    }
}
