package io.egoist.cli;

import io.egoist.sns.BestResponsePolicy;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code egoist bench br}: wall-clock time of one best response in three settings (a figure to quote, never a
 * test). Each run times the whole {@code choose} call: one Dijkstra per candidate on the residual overlay,
 * then the exact / local-search k-median. The node choosing rotates from run to run. Single-threaded.
 */
@Command(
        name = "br",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Time best responses: n=94 (RIPE matrix) k=3; n=1,000 k=8; n=10,000 k=8 with sampling m=50.")
public final class BenchBrCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--repeat", description = "Timed runs per scenario (after warm-up).")
    int repeat = 30;

    @Option(names = "--warmup", description = "Untimed warm-up runs per scenario (at least, and at least --warmup-ms).")
    int warmup = 10;

    @Option(
            names = "--warmup-ms",
            description = "Minimum warm-up time per scenario, so the JIT has compiled the hot loops.")
    long warmupMs = 2_000;

    @Option(names = "--seed", description = "Seed for the random overlays and delays.")
    long seed = 1;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(
            names = "--only",
            split = ",",
            description = "Run only these scenarios: ripe94, geo1000, geo10000, geo10000-biased.")
    List<String> only;

    record Scenario(
            String name,
            int n,
            int k,
            String policy,
            double goalMs,
            IntFunction<WiringProblem> problem,
            WiringPolicy wiring) {}

    interface ScenarioFactory {
        Scenario create() throws IOException;
    }

    record Result(Scenario scenario, double medianMs, double p90Ms, double minMs, double cpuMedianMs) {}

    @Override
    public Integer call() throws IOException {
        if (repeat < 1 || warmup < 0) {
            throw new IllegalArgumentException("--repeat must be >= 1 and --warmup >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, ScenarioFactory> all = new LinkedHashMap<>();
        all.put("ripe94", this::ripe);
        all.put("geo1000", () -> geometric("geo1000", 1_000, 8, 200, Policies.br(), "br"));
        all.put(
                "geo10000",
                () -> geometric(
                        "geo10000", 10_000, 8, 1_000, Policies.samplingBr(50, false), "sampling-br m=50 uniform"));
        all.put(
                "geo10000-biased",
                () -> geometric(
                        "geo10000-biased",
                        10_000,
                        8,
                        1_000,
                        Policies.samplingBr(50, true),
                        "sampling-br m=50 biased r=1"));
        if (only != null) {
            for (String o : only) {
                if (!all.containsKey(o)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--only: unknown scenario '" + o + "'; known: " + String.join(", ", all.keySet()));
                }
            }
        }
        List<Scenario> scenarios = new ArrayList<>();
        for (Map.Entry<String, ScenarioFactory> e : all.entrySet()) {
            if (only == null || only.contains(e.getKey())) {
                scenarios.add(e.getValue().create());
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
        if (json) {
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
                                r.medianMs() <= s.goalMs()));
            }
            out.println(sb.append("]}"));
        } else {
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
                        r.medianMs() <= s.goalMs() ? "yes" : "NO");
            }
        }
        out.flush();
        return 0;
    }

    private Result run(Scenario s) {
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
    static double quantile(double[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    // ---------------------------------------------------------------------------------------------

    private Scenario ripe() throws IOException {
        double[][] d = readRipe();
        int n = d.length;
        Graph overlay = randomOverlay(n, 3, seed, (u, v) -> d[u][v]);
        BestResponsePolicy br = Policies.br();
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
                br);
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
    static double[][] readRipe() throws IOException {
        try (InputStream in = BenchBrCommand.class.getResourceAsStream("/data/ripe-country-rtt.csv")) {
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
