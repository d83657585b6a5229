package io.egoist.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoist.latency.LatencyMatrix;
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

/**
 * One {@code egoist sim} invocation: checks the request, loads or generates the matrix, runs the static comparison
 * or the churn experiment, writes the files and renders stdout (table or JSON). Bad input is a {@link BadInput}
 * whose message is the one line the CLI prints.
 */
public final class SimRun {

    /** A usage error: the message is meant for the user, on one line. */
    public static final class BadInput extends IllegalArgumentException {
        public BadInput(String message) {
            super(message.replace('\n', ' ').replace('\r', ' '));
        }

        public BadInput(String message, Throwable cause) {
            this(message);
            initCause(cause);
        }
    }

    /** What the user asked for (the CLI options, unparsed lists as given). */
    public record Request(
            Path matrix,
            String generate,
            Integer nodes,
            long seed,
            String k,
            String policies,
            int maxRounds,
            Path out,
            Integer threads,
            boolean churn,
            double churnRate,
            double duration,
            double sampleEvery,
            double epoch,
            String formats,
            int draws,
            boolean metricClosure,
            Integer subset,
            Long subsetSeed,
            boolean stats) {}

    private final Request request;
    private final LatencyMatrix matrix;
    private final String source;
    private final List<Integer> ks;
    private final List<String> policies;
    private final int threads;
    private final List<String> formats;

    private SimRun(
            Request request,
            LatencyMatrix matrix,
            String source,
            List<Integer> ks,
            List<String> policies,
            List<String> formats) {
        this.request = request;
        this.formats = formats;
        this.matrix = matrix;
        this.source = source;
        this.ks = ks;
        this.policies = policies;
        this.threads = request.threads() == null ? Runtime.getRuntime().availableProcessors() : request.threads();
    }

    /** Checks the request and loads the matrix; creates the output directory. */
    public static SimRun prepare(Request r) throws IOException {
        LatencyMatrix m = loadMatrix(r);
        String source = r.matrix() != null
                ? String.valueOf(r.matrix().getFileName())
                : r.generate() != null ? r.generate() + " n=" + m.size() + " seed=" + r.seed() : "RIPE country RTT";
        if (r.subsetSeed() != null && r.subset() == null) {
            throw new BadInput("--subset-seed only applies with --subset");
        }
        if (r.subset() != null) {
            long subsetSeed = r.subsetSeed() == null ? r.seed() : r.subsetSeed();
            try {
                m = OverlayStats.randomSubset(m, r.subset(), subsetSeed);
            } catch (IllegalArgumentException e) {
                throw new BadInput("--subset: " + e.getMessage());
            }
            source += ", subset " + m.size() + " seed " + subsetSeed;
        }
        if (r.metricClosure()) {
            m = OverlayStats.metricClosure(m);
            source += ", metric closure";
        }
        List<Integer> ks = parseK(r, m.size());
        List<String> pols = parsePolicies(r.policies());
        if (r.maxRounds() < 1) {
            throw new BadInput("--max-rounds must be >= 1, got " + r.maxRounds());
        }
        if (r.draws() < 1) {
            throw new BadInput("--draws must be >= 1, got " + r.draws());
        }
        if (r.stats() && r.churn()) {
            throw new BadInput("--stats applies to the static comparison, not --churn");
        }
        SimRun run = new SimRun(r, m, source, ks, pols, parseFormats(r.formats()));
        if (run.threads < 1) {
            throw new BadInput("--threads must be >= 1, got " + run.threads);
        }
        try {
            Files.createDirectories(r.out());
        } catch (IOException e) {
            throw new BadInput("--out " + r.out() + ": cannot create the directory: " + e.getMessage(), e);
        }
        return run;
    }

    public LatencyMatrix matrix() {
        return matrix;
    }

    /**
     * Runs the experiment, writes its files, and prints the table or JSON on {@code stdout}; the progress bar
     * goes to {@code stderr} (redrawn in place when {@code inPlace}).
     */
    public void execute(PrintWriter stdout, PrintWriter stderr, boolean inPlace, boolean json) throws IOException {
        if (request.churn()) {
            churn(stdout, stderr, inPlace, json);
        } else {
            compare(stdout, stderr, inPlace, json);
        }
    }

    private void churn(PrintWriter stdout, PrintWriter stderr, boolean inPlace, boolean json) throws IOException {
        Request r = request;
        List<ChurnSimulation.Config> cells = new ArrayList<>();
        for (int kk : ks) {
            for (String p : policies) {
                cells.add(new ChurnSimulation.Config(
                        matrix,
                        kk,
                        p,
                        r.seed(),
                        r.churnRate(),
                        r.duration(),
                        r.sampleEvery(),
                        r.epoch(),
                        r.maxRounds()));
            }
        }
        try {
            ChurnSimulation.validate(cells.get(0));
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        Progress progress = new Progress(stderr, cells.size(), inPlace);
        List<ChurnSimulation.Run> runs = ChurnSimulation.runAll(cells, threads, progress::step);
        Path csv = r.out().resolve("churn.csv");
        SimOutput.writeChurnCsv(csv, runs);
        List<Path> charts = new ArrayList<>();
        for (String format : formats) {
            Path chart = r.out().resolve("churn." + format);
            SimOutput.writeChurnChart(chart, runs, source);
            charts.add(chart);
        }
        if (json) {
            Map<String, Object> doc = header();
            doc.put("churn_rate", r.churnRate());
            doc.put("duration_s", r.duration());
            doc.put("sample_every_s", r.sampleEvery());
            doc.put("epoch_s", r.epoch());
            List<Map<String, Object>> rs = new ArrayList<>();
            for (ChurnSimulation.Run run : runs) {
                rs.add(churnRow(run));
            }
            doc.put("runs", rs);
            doc.put("files", files(csv, charts));
            printJson(stdout, doc);
        } else {
            stdout.println("egoist sim --churn: " + source + ", " + matrix.size() + " nodes, churn rate "
                    + r.churnRate() + "/node/s, " + r.duration() + " s virtual time, epoch " + r.epoch() + " s, seed "
                    + r.seed());
            SimOutput.printChurnTable(stdout, runs);
            stdout.println(wrote(csv, charts));
        }
    }

    private void compare(PrintWriter stdout, PrintWriter stderr, boolean inPlace, boolean json) throws IOException {
        Request r = request;
        PolicyComparison.Config cfg =
                new PolicyComparison.Config(matrix, ks, policies, r.seed(), r.maxRounds(), threads, r.draws());
        int cells = 0;
        for (int ignored : ks) {
            LinkedHashSet<String> here = new LinkedHashSet<>(policies);
            here.remove(PolicyComparison.FULL_MESH);
            here.add("br");
            cells += here.size();
        }
        Progress progress = new Progress(stderr, cells + 1, inPlace);
        PolicyComparison.Outcome outcome = PolicyComparison.compare(cfg, progress::step);
        List<PolicyResult> results = outcome.results();
        Path csv = r.out().resolve("results.csv");
        SimOutput.writeResultsCsv(csv, results);
        List<Path> charts = new ArrayList<>();
        for (String format : formats) {
            Path chart = r.out().resolve("ratio_to_br." + format);
            SimOutput.writeRatioChart(chart, results, source);
            charts.add(chart);
        }
        Map<String, Object> stats = r.stats() ? SimStats.of(matrix, outcome) : null;
        if (json) {
            Map<String, Object> doc = header();
            doc.put("max_rounds", r.maxRounds());
            doc.put("draws", r.draws());
            doc.put("results", results.stream().map(SimRun::row).toList());
            if (stats != null) {
                doc.put("stats", stats);
            }
            doc.put("files", files(csv, charts));
            printJson(stdout, doc);
        } else {
            stdout.println("egoist sim: " + source + ", " + matrix.size() + " nodes, seed " + r.seed()
                    + " (mean_cost = mean over nodes of C_i, ms)");
            SimOutput.printResultsTable(stdout, results);
            if (stats != null) {
                SimStats.print(stdout, stats);
            }
            stdout.println(wrote(csv, charts));
        }
    }

    static List<String> parseFormats(String spec) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String raw : spec.split(",", -1)) {
            String f = raw.trim();
            if (!f.equals("png") && !f.equals("svg")) {
                throw new BadInput("--format: unknown chart format \"" + f + "\"; known: png,svg");
            }
            out.add(f);
        }
        return new ArrayList<>(out);
    }

    private static List<String> files(Path csv, List<Path> charts) {
        List<String> out = new ArrayList<>();
        out.add(csv.toString());
        charts.forEach(c -> out.add(c.toString()));
        return out;
    }

    /** "wrote a and b" / "wrote a, b and c". */
    static String wrote(Path csv, List<Path> charts) {
        List<String> all = files(csv, charts);
        String last = all.remove(all.size() - 1);
        return "wrote " + String.join(", ", all) + " and " + last;
    }

    static LatencyMatrix loadMatrix(Request r) throws IOException {
        if (r.matrix() != null && r.generate() != null) {
            throw new BadInput("--matrix and --generate are mutually exclusive");
        }
        if (r.nodes() != null && r.generate() == null) {
            throw new BadInput("--nodes only applies with --generate");
        }
        if (r.generate() != null) {
            try {
                return TopologyGenerator.generate(r.generate(), r.nodes() == null ? 50 : r.nodes(), r.seed());
            } catch (IllegalArgumentException e) {
                throw new BadInput(e.getMessage());
            }
        }
        if (r.matrix() == null) {
            return LatencyMatrix.ripe();
        }
        if (Files.isDirectory(r.matrix())) {
            throw new BadInput("--matrix " + r.matrix() + " is a directory");
        }
        try {
            return LatencyMatrix.load(r.matrix());
        } catch (NoSuchFileException e) {
            throw new BadInput("--matrix " + r.matrix() + ": no such file");
        } catch (LatencyMatrix.MatrixFormatException e) {
            throw new BadInput(e.getMessage());
        }
    }

    static List<Integer> parseK(Request r, int n) {
        String spec = r.k() != null ? r.k() : r.churn() ? "4" : "2-8";
        List<Integer> ks;
        try {
            ks = IntRanges.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new BadInput("--k: " + e.getMessage());
        }
        for (int v : ks) {
            if (v < 1 || v >= n) {
                throw new BadInput(
                        "--k: k=" + v + " out of range for " + n + " nodes (need 1 <= k <= " + (n - 1) + ")");
            }
        }
        return ks;
    }

    static List<String> parsePolicies(String policies) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String raw : policies.split(",", -1)) {
            String p = raw.trim();
            if (p.isEmpty()) {
                throw new BadInput("--policies: empty name in \"" + policies + "\"");
            }
            if (!Policies.NAMES.contains(p)) {
                throw new BadInput(
                        "--policies: unknown policy \"" + p + "\"; known: " + String.join(",", Policies.NAMES));
            }
            out.add(p);
        }
        return new ArrayList<>(out);
    }

    private Map<String, Object> header() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("source", source);
        doc.put("nodes", matrix.size());
        doc.put("seed", request.seed());
        doc.put("k", ks);
        doc.put("policies", policies);
        return doc;
    }

    static Map<String, Object> row(PolicyResult r) {
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
        row.put("mean_cost_sd", r.meanCostSd());
        row.put("draws", r.draws());
        row.put("rounds_averaged", r.roundsAveraged());
        return row;
    }

    private static Map<String, Object> churnRow(ChurnSimulation.Run r) {
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
        return row;
    }

    private static void printJson(PrintWriter stdout, Object doc) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        stdout.println(mapper.writeValueAsString(doc));
        stdout.flush();
    }
}
