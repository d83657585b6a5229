package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Costs;
import io.egoist.sns.Graph;
import io.egoist.sns.HybridBrPolicy;
import io.egoist.sns.Overlays;
import io.egoist.sns.Policies;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * One policy under churn, in virtual time (a discrete-event simulation; no clocks, no threads).
 *
 * <p>The churn trace depends only on the seed, so every policy sees the same arrivals and departures:
 * each node starts on with probability 1/2 (the stationary state) and then alternates on/off with
 * exponentially distributed durations of mean 1/{@code churnRate} seconds (a Poisson process of switches).
 * Each node also has a wiring epoch of {@code epoch} seconds with a random phase.
 *
 * <p>Rules, the same for all policies unless said otherwise:
 * <ul>
 *   <li>At time 0 the live nodes wire as in the static experiment (heuristics one shot, BR variants by
 *   best-response dynamics from a k-random start until a round changes nothing or {@code maxRounds}).</li>
 *   <li>A node that goes off loses all its links at once, in both directions (its in-neighbors see the link
 *   vanish immediately).</li>
 *   <li>A node that comes on is a newcomer: it wires immediately with its policy given the current overlay
 *   (BR variants: a best response; heuristics: their own rule).</li>
 *   <li>At each of its epochs a live node re-wires: BR variants compute a best response and adopt it if a
 *   link was lost (fewer than min(k, live − 1) links) or if it lowers their cost strictly (br-eps: by more
 *   than ε, inside the policy); heuristics only fill lost slots by their own rule (k-random: random live
 *   non-neighbors, k-closest: the closest live non-neighbors, k-regular: its offsets, skipping dead ids
 *   clockwise). So lost links stay lost until the node's next epoch.</li>
 *   <li>hybrid-br's donated ring links are repaired immediately after every arrival and departure (they are
 *   monitored often): each node's donated links follow the ring over live nodes, the BR links are kept
 *   until the next epoch.</li>
 *   <li>full-mesh: every live node links to every other live node, always.</li>
 * </ul>
 * Efficiency, sampled every {@code sampleEvery} seconds from 0 to {@code duration}: the mean over ordered
 * pairs (i, j) of live nodes of 1/d(i, j) in 1/ms, where d is the shortest overlay path and 1/d = 0 when j
 * is unreachable. The relative efficiency divides it by the full mesh's over the same live nodes; {@code connected}
 * says whether every live node reaches every other.
 */
public final class ChurnSimulation {

    public record Config(
            LatencyMatrix matrix,
            int k,
            String policy,
            long seed,
            double churnRate,
            double duration,
            double sampleEvery,
            double epoch,
            int maxRounds) {}

    /** One sample of the overlay. */
    public record Sample(
            double timeS,
            int k,
            String policy,
            double efficiency,
            double relativeEfficiency,
            int liveNodes,
            boolean connected) {}

    /** All samples of one run and its totals. */
    public record Run(int k, String policy, List<Sample> samples, int arrivals, int departures, int rewirings) {
        public double meanEfficiency() {
            return samples.stream().mapToDouble(Sample::efficiency).average().orElse(0);
        }

        public double meanRelativeEfficiency() {
            return samples.stream()
                    .mapToDouble(Sample::relativeEfficiency)
                    .average()
                    .orElse(0);
        }

        /** Fraction of samples in which the live overlay was strongly connected. */
        public double connectedFraction() {
            return samples.isEmpty()
                    ? 0
                    : samples.stream().filter(Sample::connected).count() / (double) samples.size();
        }

        public double minRelativeEfficiency() {
            return samples.stream()
                    .mapToDouble(Sample::relativeEfficiency)
                    .min()
                    .orElse(0);
        }
    }

    private static final int TOGGLE = 0;
    private static final int EPOCH = 1;
    private static final int SAMPLE = 2;

    private record Ev(double time, int type, int node, long seq) {}

    private final Config cfg;
    private final LatencyMatrix m;
    private final int n;
    private final int k;
    private final WiringPolicy policy;
    private final boolean brVariant;
    private final boolean fullMesh;
    private final HybridBrPolicy hybrid;
    private final Random random;
    private final boolean[] live;
    private final int[][] wiring;
    private final int[][] donatedOf;
    private final Graph overlay;
    private int rewirings;

    private ChurnSimulation(Config cfg) {
        this.cfg = cfg;
        this.m = cfg.matrix();
        this.n = m.size();
        this.k = cfg.k();
        this.policy = Policies.byName(cfg.policy());
        this.brVariant = PolicyComparison.BR_VARIANTS.contains(cfg.policy());
        this.fullMesh = cfg.policy().equals(PolicyComparison.FULL_MESH);
        this.hybrid = policy instanceof HybridBrPolicy h ? h : null;
        this.random = new Random(Wirings.seedFor(cfg.seed(), cfg.k(), "churn/" + cfg.policy()));
        this.live = new boolean[n];
        this.wiring = new int[n][0];
        this.donatedOf = new int[n][0];
        this.overlay = new Graph(n);
    }

    public static void validate(Config c) {
        if (!(c.churnRate() > 0) || Double.isInfinite(c.churnRate())) {
            throw new IllegalArgumentException(
                    "--churn-rate must be > 0 (switches per node per second), got " + c.churnRate());
        }
        if (!(c.duration() > 0) || c.duration() > 1e7) {
            throw new IllegalArgumentException("--duration must be in (0, 1e7] seconds, got " + c.duration());
        }
        if (!(c.sampleEvery() > 0) || c.duration() / c.sampleEvery() > 100_000) {
            throw new IllegalArgumentException(
                    "--sample-every must be > 0 and give at most 100000 samples, got " + c.sampleEvery());
        }
        if (!(c.epoch() > 0) || c.duration() / c.epoch() > 1_000_000) {
            throw new IllegalArgumentException("--epoch must be > 0 seconds and not tiny, got " + c.epoch());
        }
    }

    /** Runs several cells on {@code threads} threads; results in input order; each cell is deterministic. */
    public static List<Run> runAll(List<Config> configs, int threads, java.util.function.Consumer<String> progress) {
        configs.forEach(ChurnSimulation::validate);
        return Parallel.map(
                configs, threads, ChurnSimulation::run, c -> "churn k=" + c.k() + " policy=" + c.policy(), progress);
    }

    /** Runs one (k, policy) under the churn trace of {@code config.seed()}. Deterministic. */
    public static Run run(Config config) {
        validate(config);
        return new ChurnSimulation(config).simulate();
    }

    private Run simulate() {
        // The trace: the same for every policy and k (only the seed matters).
        Random trace = new Random(Wirings.seedFor(cfg.seed(), 0, "churn-trace"));
        PriorityQueue<Ev> queue = new PriorityQueue<>((a, b) -> a.time() != b.time()
                ? Double.compare(a.time(), b.time())
                : a.type() != b.type() ? Integer.compare(a.type(), b.type()) : Long.compare(a.seq(), b.seq()));
        long[] seq = {0};
        double[] epochPhase = new double[n];
        for (int i = 0; i < n; i++) {
            live[i] = trace.nextBoolean();
            epochPhase[i] = trace.nextDouble() * cfg.epoch();
        }
        if (count(live) < 2) { // keep the start meaningful on tiny matrices
            live[0] = true;
            live[1 % n] = true;
        }
        // Per-node switch times drawn lazily from per-node streams, so a node's trace is independent of others'.
        Random[] nodeTrace = new Random[n];
        for (int i = 0; i < n; i++) {
            nodeTrace[i] = new Random(Wirings.seedFor(cfg.seed(), i + 1, "churn-node"));
            queue.add(new Ev(exp(nodeTrace[i]), TOGGLE, i, seq[0]++));
            queue.add(new Ev(epochPhase[i], EPOCH, i, seq[0]++));
        }
        long samples = (long) Math.floor(cfg.duration() / cfg.sampleEvery() + 1e-9);
        for (long s = 0; s <= samples; s++) {
            queue.add(new Ev(s * cfg.sampleEvery(), SAMPLE, -1, seq[0]++));
        }

        initialWiring();
        List<Sample> out = new ArrayList<>();
        int arrivals = 0;
        int departures = 0;
        while (!queue.isEmpty()) {
            Ev e = queue.poll();
            if (e.time() > cfg.duration() + 1e-9) {
                break;
            }
            switch (e.type()) {
                case TOGGLE:
                    if (live[e.node()]) {
                        depart(e.node());
                        departures++;
                    } else {
                        arrive(e.node());
                        arrivals++;
                    }
                    queue.add(new Ev(e.time() + exp(nodeTrace[e.node()]), TOGGLE, e.node(), seq[0]++));
                    break;
                case EPOCH:
                    if (live[e.node()]) {
                        epoch(e.node());
                    }
                    queue.add(new Ev(e.time() + cfg.epoch(), EPOCH, e.node(), seq[0]++));
                    break;
                default:
                    out.add(sample(e.time()));
                    break;
            }
        }
        return new Run(k, cfg.policy(), out, arrivals, departures, rewirings);
    }

    private double exp(Random r) {
        return -Math.log(1 - r.nextDouble()) / cfg.churnRate();
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            if (x) {
                c++;
            }
        }
        return c;
    }

    private double[] direct(int i) {
        double[] d = Wirings.direct(m, i);
        for (int j = 0; j < n; j++) {
            if (!live[j]) {
                d[j] = Double.NaN;
            }
        }
        return d;
    }

    private int liveCount() {
        return count(live);
    }

    private void setLinks(int i, int[] links) {
        overlay.clearOutEdges(i);
        for (int j : links) {
            overlay.setEdge(i, j, m.rtt(i, j));
        }
        wiring[i] = links.clone();
    }

    private void initialWiring() {
        if (fullMesh) {
            meshLive();
            return;
        }
        if (brVariant) {
            Random init = new Random(Wirings.seedFor(cfg.seed(), k, "initial-wiring"));
            WiringPolicy kRandom = Policies.byName("k-random");
            for (int i = 0; i < n; i++) {
                if (live[i]) {
                    setLinks(i, kRandom.choose(problem(i, new int[0]), init));
                }
            }
            boolean[] decided = new boolean[n];
            for (int round = 0; round < cfg.maxRounds(); round++) {
                int changed = 0;
                for (int i : BestResponseDynamics.permutation(n, random)) {
                    if (live[i] && bestResponse(i, !decided[i])) {
                        changed++;
                    }
                    decided[i] = true;
                }
                if (changed == 0) {
                    break;
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                if (live[i]) {
                    setLinks(i, policy.choose(problem(i, new int[0]), random));
                }
            }
        }
        rewirings = 0; // count only re-wirings caused by churn and epochs
        repairRings();
    }

    private WiringProblem problem(int i, int[] current) {
        return WiringProblem.delay(i, k, direct(i), overlay, current);
    }

    /** A best response for live node i; adopted when forced or strictly better. Returns whether links changed. */
    private boolean bestResponse(int i, boolean force) {
        int[] current = wiring[i];
        overlay.clearOutEdges(i);
        WiringProblem p = problem(i, current.clone());
        int[] chosen = policy.choose(p, random);
        boolean adopt;
        if (Wirings.sameSet(chosen, current)) {
            adopt = false;
        } else if (force || current.length < Math.min(k, liveCount() - 1)) {
            adopt = true;
        } else {
            double oldCost = Costs.cost(p, current);
            double newCost = Costs.cost(p, chosen);
            adopt = newCost < oldCost - 1e-9 * Math.abs(oldCost);
        }
        setLinks(i, adopt ? chosen : current);
        if (adopt) {
            rewirings++;
            if (hybrid != null) {
                donatedOf[i] = hybrid.donated(problem(i, chosen));
            }
        }
        return adopt;
    }

    /** Full mesh: every live node links to every other live node. */
    private void meshLive() {
        for (int i = 0; i < n; i++) {
            if (live[i]) {
                meshLinks(i);
            }
        }
    }

    private void meshLinks(int i) {
        int[] all = new int[liveCount() - 1];
        int c = 0;
        for (int j = 0; j < n; j++) {
            if (live[j] && j != i) {
                all[c++] = j;
            }
        }
        setLinks(i, all);
    }

    private void depart(int j) {
        live[j] = false;
        setLinks(j, new int[0]);
        donatedOf[j] = new int[0];
        for (int i = 0; i < n; i++) {
            if (live[i] && contains(wiring[i], j)) {
                setLinks(i, remove(wiring[i], j));
                donatedOf[i] = remove(donatedOf[i], j);
            }
        }
        repairRings();
    }

    private void arrive(int j) {
        live[j] = true;
        if (fullMesh) {
            meshLive();
            return;
        }
        if (brVariant) {
            bestResponse(j, true);
        } else {
            setLinks(j, policy.choose(problem(j, new int[0]), random));
            rewirings++;
        }
        repairRings();
    }

    private void epoch(int i) {
        if (fullMesh) {
            return;
        }
        if (brVariant) {
            bestResponse(i, false);
            return;
        }
        int want = Math.min(k, liveCount() - 1);
        int missing = want - wiring[i].length;
        if (missing <= 0) {
            return;
        }
        int[] links;
        if (cfg.policy().equals("k-regular")) {
            links = policy.choose(problem(i, wiring[i]), random);
        } else {
            double[] d = direct(i);
            for (int j : wiring[i]) {
                d[j] = Double.NaN; // only non-neighbors can replace the lost links
            }
            int[] extra = policy.choose(WiringProblem.delay(i, missing, d, overlay, new int[0]), random);
            links = Arrays.copyOf(wiring[i], wiring[i].length + extra.length);
            System.arraycopy(extra, 0, links, wiring[i].length, extra.length);
        }
        setLinks(i, links);
        rewirings++;
    }

    /** hybrid-br only: every live node's donated links follow the ring over the live nodes, immediately. */
    private void repairRings() {
        if (hybrid == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!live[i]) {
                continue;
            }
            int[] ring = hybrid.donated(problem(i, wiring[i]));
            if (Arrays.equals(ring, donatedOf[i])) {
                continue;
            }
            // Keep the BR links (current minus old donated), put the new donated links first, cap at k.
            int[] links = new int[Math.min(k, liveCount() - 1)];
            int c = 0;
            for (int j : ring) {
                if (c < links.length) {
                    links[c++] = j;
                }
            }
            for (int j : wiring[i]) {
                if (c < links.length && !contains(donatedOf[i], j) && !contains(links, c, j)) {
                    links[c++] = j;
                }
            }
            setLinks(i, Arrays.copyOf(links, c));
            donatedOf[i] = ring;
        }
    }

    private Sample sample(double t) {
        int[] ids = new int[liveCount()];
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (live[i]) {
                ids[c++] = i;
            }
        }
        double eff = Overlays.efficiency(overlay, live);
        Graph mesh = new Graph(n);
        for (int i : ids) {
            for (int j : ids) {
                if (i != j) {
                    mesh.setEdge(i, j, m.rtt(i, j));
                }
            }
        }
        double meshEff = Overlays.efficiency(mesh, live);
        return new Sample(
                t,
                k,
                cfg.policy(),
                eff,
                meshEff > 0 ? eff / meshEff : 0,
                ids.length,
                Overlays.stronglyConnected(overlay, live));
    }

    private static boolean contains(int[] a, int v) {
        return contains(a, a.length, v);
    }

    private static boolean contains(int[] a, int len, int v) {
        for (int i = 0; i < len; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    private static int[] remove(int[] a, int v) {
        int[] out = new int[a.length];
        int c = 0;
        for (int x : a) {
            if (x != v) {
                out[c++] = x;
            }
        }
        return Arrays.copyOf(out, c);
    }
}
