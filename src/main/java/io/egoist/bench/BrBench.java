package io.egoist.bench;

import io.egoist.sns.Graph;
import io.egoist.sns.Policies;
import io.egoist.sns.WiringPolicy;
import io.egoist.sns.WiringProblem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Wall-clock time of one best response in a few fixed settings (a figure to quote, never a test). Each run times
 * the whole {@code choose} call: one Dijkstra per candidate on the residual overlay, then the exact /
 * local-search k-median. The node choosing rotates from run to run. Single-threaded.
 */
public final class BrBench {

    /** Scenario names, in the order they run. */
    public static final List<String> SCENARIOS = List.of("ripe94", "geo1000", "geo10000", "geo10000-biased");

    /** One setting: the problem of run number r, and the policy timed on it. */
    public record Scenario(
            String name,
            int n,
            int k,
            String policy,
            double goalMs,
            IntFunction<WiringProblem> problem,
            WiringPolicy wiring) {}

    public record Result(Scenario scenario, double medianMs, double p90Ms, double minMs, double cpuMedianMs) {
        public boolean met() {
            return medianMs <= scenario.goalMs();
        }
    }

    private final int repeat;
    private final int warmup;
    private final long warmupMs;
    private final long seed;

    public BrBench(int repeat, int warmup, long warmupMs, long seed) {
        if (repeat < 1 || warmup < 0) {
            throw new IllegalArgumentException("--repeat must be >= 1 and --warmup >= 0");
        }
        this.repeat = repeat;
        this.warmup = warmup;
        this.warmupMs = warmupMs;
        this.seed = seed;
    }

    /** The named scenario (one of {@link #SCENARIOS}). */
    public Scenario scenario(String name) throws IOException {
        return switch (name) {
            case "ripe94" -> ripe();
            case "geo1000" -> geometric("geo1000", 1_000, 8, 200, Policies.br(), "br");
            case "geo10000" ->
                geometric("geo10000", 10_000, 8, 1_000, Policies.samplingBr(50, false), "sampling-br m=50 uniform");
            case "geo10000-biased" ->
                geometric(
                        "geo10000-biased",
                        10_000,
                        8,
                        1_000,
                        Policies.samplingBr(50, true),
                        "sampling-br m=50 biased r=1");
            default ->
                throw new IllegalArgumentException(
                        "unknown scenario '" + name + "'; known: " + String.join(", ", SCENARIOS));
        };
    }

    /** Runs the scenarios named in {@code only} (all when null), announcing each on {@code err}. */
    public List<Result> runAll(List<String> only, PrintWriter err) throws IOException {
        List<Scenario> scenarios = new ArrayList<>();
        for (String name : SCENARIOS) {
            if (only == null || only.contains(name)) {
                scenarios.add(scenario(name));
            }
        }
        List<Result> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            err.printf(
                    "bench br: %s (n=%d k=%d %s) warm-up >= %d runs and >= %d ms, then %d runs%n",
                    s.name(), s.n(), s.k(), s.policy(), warmup, warmupMs, repeat);
            err.flush();
            results.add(run(s));
        }
        return results;
    }

    /** Warm-up (≥ warmup runs and ≥ warmupMs), then {@code repeat} timed runs. */
    public Result run(Scenario s) {
        Random random = new Random(seed);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean cpu = mx.isCurrentThreadCpuTimeSupported();
        long warmEnd = System.nanoTime() + warmupMs * 1_000_000L;
        int w = 0;
        while (w < warmup || System.nanoTime() < warmEnd) {
            s.wiring().choose(s.problem().apply(w++), random);
        }
        double[] ms = new double[repeat];
        double[] cpuMs = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            WiringProblem p = s.problem().apply(w + i);
            long c0 = cpu ? mx.getCurrentThreadCpuTime() : 0;
            long t0 = System.nanoTime();
            int[] chosen = s.wiring().choose(p, random);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpuMs[i] = cpu ? (mx.getCurrentThreadCpuTime() - c0) / 1e6 : Double.NaN;
            if (chosen.length != Math.min(p.k(), p.size() - 1)) {
                throw new IllegalStateException("policy returned " + chosen.length + " neighbors");
            }
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        Arrays.sort(cpuMs);
        return new Result(s, quantile(sorted, 0.5), quantile(sorted, 0.9), sorted[0], quantile(cpuMs, 0.5));
    }

    /** Nearest-rank quantile of a sorted array. */
    public static double quantile(double[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    /** One JSON object: cores, repeat, and one entry per scenario. */
    public String json(List<Result> results) {
        StringBuilder sb = new StringBuilder("{\"cores\":")
                .append(Runtime.getRuntime().availableProcessors())
                .append(",\"repeat\":")
                .append(repeat)
                .append(",\"scenarios\":[");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            Scenario s = r.scenario();
            sb.append(i == 0 ? "" : ",")
                    .append(String.format(
                            Locale.ROOT,
                            "{\"name\":\"%s\",\"n\":%d,\"k\":%d,\"policy\":\"%s\",\"median_ms\":%.3f,\"p90_ms\":%.3f,"
                                    + "\"min_ms\":%.3f,\"cpu_median_ms\":%.3f,\"goal_ms\":%.0f,\"met\":%b}",
                            s.name(),
                            s.n(),
                            s.k(),
                            s.policy(),
                            r.medianMs(),
                            r.p90Ms(),
                            r.minMs(),
                            r.cpuMedianMs(),
                            s.goalMs(),
                            r.met()));
        }
        return sb.append("]}").toString();
    }

    /** The readable table. */
    public void printTable(PrintWriter out, List<Result> results) {
        out.printf(
                Locale.ROOT,
                "one best response (whole choose call, single thread), %d timed runs per scenario, %d cores visible%n",
                repeat,
                Runtime.getRuntime().availableProcessors());
        out.printf(
                Locale.ROOT,
                "%-16s %6s %3s  %-28s %10s %10s %10s %11s %8s  %s%n",
                "scenario",
                "n",
                "k",
                "policy",
                "median ms",
                "p90 ms",
                "min ms",
                "cpu med ms",
                "goal ms",
                "median <= goal");
        for (Result r : results) {
            Scenario s = r.scenario();
            out.printf(
                    Locale.ROOT,
                    "%-16s %6d %3d  %-28s %10.2f %10.2f %10.2f %11.2f %8.0f  %s%n",
                    s.name(),
                    s.n(),
                    s.k(),
                    s.policy(),
                    r.medianMs(),
                    r.p90Ms(),
                    r.minMs(),
                    r.cpuMedianMs(),
                    s.goalMs(),
                    r.met() ? "yes" : "NO");
        }
    }

    // ---------------------------------------------------------------------------------------------

    private Scenario ripe() throws IOException {
        double[][] d = readRipe();
        int n = d.length;
        Graph overlay = randomOverlay(n, 3, seed, (u, v) -> d[u][v]);
        // The residual G − i is the overlay with i's out-links ignored (the library skips self's out-edges).
        return new Scenario(
                "ripe94",
                n,
                3,
                "br",
                2,
                run -> {
                    int self = run % n;
                    return WiringProblem.delay(self, 3, d[self].clone(), overlay, new int[0]);
                },
                Policies.br());
    }

    private Scenario geometric(String name, int n, int k, double goal, WiringPolicy policy, String label) {
        Geo geo = new Geo(n, seed);
        Graph overlay = randomOverlay(n, k, seed + 1, geo::delay);
        return new Scenario(
                name,
                n,
                k,
                label,
                goal,
                run -> {
                    int self = (int) ((run * 7919L) % n);
                    double[] direct = new double[n];
                    for (int j = 0; j < n; j++) {
                        direct[j] = j == self ? 0 : geo.delay(self, j);
                    }
                    return WiringProblem.delay(self, k, direct, overlay, new int[0]);
                },
                policy);
    }

    interface Delay {
        double of(int u, int v);
    }

    /** Every node with k distinct random out-links. */
    static Graph randomOverlay(int n, int k, long seed, Delay delay) {
        Random r = new Random(seed);
        Graph g = new Graph(n);
        for (int u = 0; u < n; u++) {
            int added = 0;
            while (added < Math.min(k, n - 1)) {
                int v = r.nextInt(n);
                if (v != u && !g.hasEdge(u, v)) {
                    g.setEdge(u, v, delay.of(u, v));
                    added++;
                }
            }
        }
        return g;
    }

    /**
     * Random geometric delays without an n×n matrix: points in a 150×150 plane, delay(u, v) = 1 +
     * distance·(0.8 + 0.6·h(u, v)) with h a deterministic hash in [0, 1) — asymmetric, with triangle violations.
     */
    static final class Geo {
        private final double[] x;
        private final double[] y;
        private final long salt;

        Geo(int n, long seed) {
            Random r = new Random(seed);
            x = new double[n];
            y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextDouble() * 150;
                y[i] = r.nextDouble() * 150;
            }
            salt = r.nextLong();
        }

        double delay(int u, int v) {
            long h = (u * 0x9E3779B97F4A7C15L) ^ (v * 0xC2B2AE3D27D4EB4FL) ^ salt;
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
            double noise = (h >>> 11) * 0x1.0p-53;
            return 1 + Math.hypot(x[u] - x[v], y[u] - y[v]) * (0.8 + 0.6 * noise);
        }
    }

    /** The shipped RIPE country RTT matrix (header row + one row per country, first column the name). */
    public static double[][] readRipe() throws IOException {
        try (InputStream in = BrBench.class.getResourceAsStream("/data/ripe-country-rtt.csv")) {
            if (in == null) {
                throw new IOException("classpath resource /data/ripe-country-rtt.csv not found");
            }
            BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String header = br.readLine();
            int n = header.split(",", -1).length - 1;
            double[][] d = new double[n][];
            for (int i = 0; i < n; i++) {
                String line = br.readLine();
                if (line == null) {
                    throw new IOException("RIPE matrix: missing row " + (i + 2));
                }
                String[] f = line.split(",", -1);
                if (f.length != n + 1) {
                    throw new IOException(
                            "RIPE matrix: row " + (i + 2) + " has " + (f.length - 1) + " values, expected " + n);
                }
                d[i] = new double[n];
                for (int j = 0; j < n; j++) {
                    d[i][j] = Double.parseDouble(f[j + 1].trim());
                }
            }
            return d;
        }
    }
}
