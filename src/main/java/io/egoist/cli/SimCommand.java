package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoist.latency.LatencyMatrix;
import io.egoist.sim.ChurnSimulation;
import io.egoist.sim.IntRanges;
import io.egoist.sim.PolicyComparison;
import io.egoist.sim.PolicyResult;
import io.egoist.sim.Progress;
import io.egoist.sim.SimOutput;
import io.egoist.sim.TopologyGenerator;
import io.egoist.sns.Policies;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(
        name = "sim",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        description = {
            "Compare wiring policies on a latency matrix: every node uses the same policy; BR variants "
                    + "run best-response dynamics until a round changes nothing.",
            "Writes results.csv and ratio_to_br.png (or, with --churn, churn.csv and churn.png) into --out."
        })
public final class SimCommand implements Callable<Integer> {

    static final String DEFAULT_POLICIES = "br,br-eps,k-random,k-closest,k-regular,full-mesh,hybrid-br";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--matrix",
            paramLabel = "FILE",
            description = "RTT matrix CSV (header node,A,B,... then one row per node). Default: the shipped RIPE "
                    + "Atlas country matrix (94 countries).")
    Path matrix;

    @Option(
            names = "--generate",
            paramLabel = "geo|waxman",
            description =
                    "Generate a matrix instead: geo (plane + per-pair noise) or waxman (BRITE-like router graph).")
    String generate;

    @Option(names = "--nodes", paramLabel = "N", description = "Nodes for --generate (default 50).")
    Integer nodes;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for everything random.")
    long seed;

    @Option(
            names = "--k",
            paramLabel = "LIST",
            description = "Out-degrees: a range 2-8, a list 2,4,8 or both. Default: 2-8 (with --churn: 4).")
    String k;

    @Option(
            names = "--policies",
            paramLabel = "LIST",
            defaultValue = DEFAULT_POLICIES,
            description = "Comma-separated, from: br, br-eps, k-random, k-closest, k-regular, full-mesh, hybrid-br, "
                    + "legacy-swap, sampling-br.")
    String policies;

    @Option(names = "--max-rounds", defaultValue = "30", description = "Best-response rounds at most.")
    int maxRounds;

    @Option(names = "--out", defaultValue = "sim-out", paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--json", description = "Print one JSON document on stdout instead of the table.")
    boolean json;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Worker threads (default: available processors). Results do not depend on it.")
    Integer threads;

    @Option(
            names = "--churn",
            description = "Run the churn experiment (virtual time) instead of the static comparison.")
    boolean churn;

    @Option(
            names = "--churn-rate",
            defaultValue = "0.01",
            description = "On/off switches per node per second (exponential durations of mean 1/rate).")
    double churnRate;

    @Option(names = "--duration", defaultValue = "600", description = "Seconds of virtual time.")
    double duration;

    @Option(names = "--sample-every", defaultValue = "10", description = "Seconds between efficiency samples.")
    double sampleEvery;

    @Option(
            names = "--epoch",
            defaultValue = "30",
            description = "Seconds between a node's re-wiring epochs under churn.")
    double epoch;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();

        LatencyMatrix m = loadMatrix();
        String source = matrix != null
                ? String.valueOf(matrix.getFileName())
                : generate != null ? generate + " n=" + m.size() + " seed=" + seed : "RIPE country RTT";
        List<Integer> ks = parseK(m.size());
        List<String> pols = parsePolicies();
        if (maxRounds < 1) {
            throw bad("--max-rounds must be >= 1, got " + maxRounds);
        }
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (nThreads < 1) {
            throw bad("--threads must be >= 1, got " + nThreads);
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw bad("--out " + out + ": cannot create the directory: " + UsageErrors.reason(e));
        }
        boolean inPlace = System.console() != null;
        long started = System.nanoTime();

        if (churn) {
            List<ChurnSimulation.Config> cells = new ArrayList<>();
            for (int kk : ks) {
                for (String p : pols) {
                    cells.add(new ChurnSimulation.Config(
                            m, kk, p, seed, churnRate, duration, sampleEvery, epoch, maxRounds));
                }
            }
            try {
                ChurnSimulation.validate(cells.get(0));
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
            Progress progress = new Progress(stderr, cells.size(), inPlace);
            List<ChurnSimulation.Run> runs = ChurnSimulation.runAll(cells, nThreads, progress::step);
            Path csv = out.resolve("churn.csv");
            Path png = out.resolve("churn.png");
            SimOutput.writeChurnCsv(csv, runs);
            SimOutput.writeChurnChart(png, runs, source);
            if (json) {
                Map<String, Object> doc = header(m, source, ks, pols);
                doc.put("churn_rate", churnRate);
                doc.put("duration_s", duration);
                doc.put("sample_every_s", sampleEvery);
                doc.put("epoch_s", epoch);
                List<Map<String, Object>> rs = new ArrayList<>();
                for (ChurnSimulation.Run r : runs) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("k", r.k());
                    row.put("policy", r.policy());
                    row.put("mean_efficiency", r.meanEfficiency());
                    row.put("mean_relative_efficiency", r.meanRelativeEfficiency());
                    row.put("min_relative_efficiency", r.minRelativeEfficiency());
                    row.put("connected_fraction", r.connectedFraction());
                    row.put("rewirings", r.rewirings());
                    row.put("arrivals", r.arrivals());
                    row.put("departures", r.departures());
                    List<Map<String, Object>> samples = new ArrayList<>();
                    for (ChurnSimulation.Sample sm : r.samples()) {
                        Map<String, Object> x = new LinkedHashMap<>();
                        x.put("time_s", sm.timeS());
                        x.put("efficiency", sm.efficiency());
                        x.put("relative_efficiency", sm.relativeEfficiency());
                        x.put("live_nodes", sm.liveNodes());
                        x.put("connected", sm.connected());
                        samples.add(x);
                    }
                    row.put("samples", samples);
                    rs.add(row);
                }
                doc.put("runs", rs);
                doc.put("files", List.of(csv.toString(), png.toString()));
                printJson(stdout, doc);
            } else {
                stdout.println("egoist sim --churn: " + source + ", " + m.size() + " nodes, churn rate " + churnRate
                        + "/node/s, " + duration + " s virtual time, epoch " + epoch + " s, seed " + seed);
                SimOutput.printChurnTable(stdout, runs);
                stdout.println("wrote " + csv + " and " + png);
            }
        } else {
            PolicyComparison.Config cfg = new PolicyComparison.Config(m, ks, pols, seed, maxRounds, nThreads);
            int cells = 0;
            for (int kk : ks) {
                LinkedHashSet<String> here = new LinkedHashSet<>(pols);
                here.remove(PolicyComparison.FULL_MESH);
                here.add("br");
                cells += here.size();
            }
            Progress progress = new Progress(stderr, cells + 1, inPlace);
            List<PolicyResult> results = PolicyComparison.run(cfg, progress::step);
            Path csv = out.resolve("results.csv");
            Path png = out.resolve("ratio_to_br.png");
            SimOutput.writeResultsCsv(csv, results);
            SimOutput.writeRatioChart(png, results, source);
            if (json) {
                Map<String, Object> doc = header(m, source, ks, pols);
                doc.put("max_rounds", maxRounds);
                doc.put("results", results.stream().map(SimCommand::row).toList());
                doc.put("files", List.of(csv.toString(), png.toString()));
                printJson(stdout, doc);
            } else {
                stdout.println("egoist sim: " + source + ", " + m.size() + " nodes, seed " + seed
                        + " (mean_cost = mean over nodes of C_i, ms)");
                SimOutput.printResultsTable(stdout, results);
                stdout.println("wrote " + csv + " and " + png);
            }
        }
        stderr.printf("done in %.1f s%n", (System.nanoTime() - started) / 1e9);
        stderr.flush();
        stdout.flush();
        return 0;
    }

    private LatencyMatrix loadMatrix() throws IOException {
        if (matrix != null && generate != null) {
            throw bad("--matrix and --generate are mutually exclusive");
        }
        if (nodes != null && generate == null) {
            throw bad("--nodes only applies with --generate");
        }
        if (generate != null) {
            try {
                return TopologyGenerator.generate(generate, nodes == null ? 50 : nodes, seed);
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
        }
        if (matrix == null) {
            return LatencyMatrix.ripe();
        }
        if (Files.isDirectory(matrix)) {
            throw bad("--matrix " + matrix + " is a directory");
        }
        try {
            return LatencyMatrix.load(matrix);
        } catch (NoSuchFileException e) {
            throw bad("--matrix " + matrix + ": no such file");
        } catch (LatencyMatrix.MatrixFormatException e) {
            throw bad(e.getMessage());
        }
    }

    private List<Integer> parseK(int n) {
        String spec0 = k != null ? k : churn ? "4" : "2-8";
        List<Integer> ks;
        try {
            ks = IntRanges.parse(spec0);
        } catch (IllegalArgumentException e) {
            throw bad("--k: " + e.getMessage());
        }
        for (int v : ks) {
            if (v < 1 || v >= n) {
                throw bad("--k: k=" + v + " out of range for " + n + " nodes (need 1 <= k <= " + (n - 1) + ")");
            }
        }
        return ks;
    }

    private List<String> parsePolicies() {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String raw : policies.split(",", -1)) {
            String p = raw.trim();
            if (p.isEmpty()) {
                throw bad("--policies: empty name in \"" + policies + "\"");
            }
            if (!Policies.NAMES.contains(p)) {
                throw bad("--policies: unknown policy \"" + p + "\"; known: " + String.join(",", Policies.NAMES));
            }
            out.add(p);
        }
        return new ArrayList<>(out);
    }

    private ParameterException bad(String message) {
        return new ParameterException(
                spec.commandLine(), message.replace('\n', ' ').replace('\r', ' '));
    }

    private Map<String, Object> header(LatencyMatrix m, String source, List<Integer> ks, List<String> pols) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("source", source);
        doc.put("nodes", m.size());
        doc.put("seed", seed);
        doc.put("k", ks);
        doc.put("policies", pols);
        return doc;
    }

    private static Map<String, Object> row(PolicyResult r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("k", r.k());
        row.put("policy", r.policy());
        row.put("mean_cost", r.meanCost());
        row.put("social_cost", r.socialCost());
        row.put("ratio_to_br", r.ratioToBr());
        row.put("ratio_to_full_mesh", r.ratioToFullMesh());
        row.put("rounds", r.rounds());
        row.put("rewirings", r.rewirings());
        row.put("converged", r.converged());
        return row;
    }

    private static void printJson(PrintWriter stdout, Object doc) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        stdout.println(mapper.writeValueAsString(doc));
        stdout.flush();
    }
}
