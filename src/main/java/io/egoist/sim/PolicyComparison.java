package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Graph;
import io.egoist.sns.Overlays;
import io.egoist.sns.Policies;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * Honest figures: BR-variant dynamics that do not converge are reported as the mean (and standard deviation)
 * of the overlay's mean cost over the last {@link #AVERAGED_ROUNDS} rounds rather than the last round's
 * snapshot, and k-random as the mean over {@code draws} independent seeded draws.
 * Every cell has its own seeded Random derived from (seed, k, policy), so results do not depend on the thread
 * count, on the order cells run in, or on which other policies are requested.
 */
public final class PolicyComparison {

    public static final Set<String> BR_VARIANTS = Set.of("br", "br-eps", "hybrid-br", "legacy-swap", "sampling-br");
    public static final Set<String> FORCED_CYCLE = Set.of("k-random", "k-closest");
    public static final String FULL_MESH = "full-mesh";

    /** Rounds averaged at the end of BR dynamics that did not converge. */
    public static final int AVERAGED_ROUNDS = 10;

    /** Independent draws of k-random by default. */
    public static final int DEFAULT_DRAWS = 10;

    private PolicyComparison() {}

    public record Config(
            LatencyMatrix matrix,
            List<Integer> ks,
            List<String> policies,
            long seed,
            int maxRounds,
            int threads,
            int draws) {
        public Config(
                LatencyMatrix matrix, List<Integer> ks, List<String> policies, long seed, int maxRounds, int threads) {
            this(matrix, ks, policies, seed, maxRounds, threads, DEFAULT_DRAWS);
        }
    }

    /** One computed overlay before ratios ({@code overlay}: the last one built, e.g. BR's after the last round). */
    record Cell(
            int k,
            String policy,
            double meanCost,
            double socialCost,
            int rounds,
            int rewirings,
            boolean converged,
            double meanCostSd,
            int draws,
            int roundsAveraged,
            Graph overlay) {}

    /** The results plus the overlays behind BR's rows (by k) and the full mesh, for {@link OverlayStats}. */
    public record Outcome(List<PolicyResult> results, Map<Integer, Graph> brOverlays, Graph fullMesh) {}

    /**
     * Runs every cell; {@code progress} receives a label ({@code k=4 policy=br}) as each cell finishes.
     * Results in the order: k ascending, then policies as requested.
     */
    public static List<PolicyResult> run(Config config, Consumer<String> progress) {
        return compare(config, progress).results();
    }

    /** As {@link #run}, also returning BR's last overlay at every k and the full mesh. */
    public static Outcome compare(Config config, Consumer<String> progress) {
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
        Map<Integer, Graph> brOverlays = new LinkedHashMap<>();
        for (int k : config.ks()) {
            Cell br = cells.get(k + "/br");
            brOverlays.put(k, br.overlay());
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
                        c.converged(),
                        c.meanCostSd(),
                        c.draws(),
                        c.roundsAveraged()));
            }
        }
        return new Outcome(out, brOverlays, mesh.overlay());
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
        if (config.draws() < 1) {
            throw new IllegalArgumentException("draws must be >= 1, got " + config.draws());
        }
    }

    static Cell cell(Config config, int k, String policyName) {
        LatencyMatrix m = config.matrix();
        if (policyName.equals(FULL_MESH)) {
            return summarize(k, policyName, fullMesh(m));
        }
        WiringPolicy policy = Policies.byName(policyName);
        Random random = new Random(Wirings.seedFor(config.seed(), k, policyName));
        int n = m.size();
        if (BR_VARIANTS.contains(policyName)) {
            int[][] start = kRandomStart(m, k, config.seed());
            BestResponseDynamics dyn = new BestResponseDynamics(m, k, policy, start);
            BestResponseDynamics.Result r = dyn.run(config.maxRounds(), random);
            double[] h = r.meanCosts();
            int averaged = r.converged() ? 1 : Math.min(AVERAGED_ROUNDS, h.length);
            double[] last = Arrays.copyOfRange(h, h.length - averaged, h.length);
            double mean = mean(last);
            return new Cell(
                    k,
                    policyName,
                    mean,
                    mean * n,
                    r.rounds(),
                    r.rewirings(),
                    r.converged(),
                    sd(last),
                    1,
                    averaged,
                    dyn.overlay());
        }
        int draws = policyName.equals("k-random") ? config.draws() : 1;
        double[] costs = new double[draws];
        Graph overlay = null;
        for (int d = 0; d < draws; d++) {
            int[][] wiring = oneShot(m, k, policy, random);
            if (FORCED_CYCLE.contains(policyName)) {
                wiring = Overlays.forceCycle(wiring, m.toArray());
            }
            overlay = Wirings.graph(m, wiring);
            costs[d] = BestResponseDynamics.meanCost(overlay);
        }
        double mean = mean(costs);
        return new Cell(k, policyName, mean, mean * n, 0, 0, true, sd(costs), draws, 1, overlay);
    }

    static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    /** Sample standard deviation (n − 1); 0 for a single value. */
    static double sd(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
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

    static Cell summarize(int k, String policy, Graph overlay) {
        double mean = BestResponseDynamics.meanCost(overlay);
        return new Cell(k, policy, mean, mean * overlay.size(), 0, 0, true, 0, 1, 1, overlay);
    }
}
