package io.egoist.cli;

import io.egoist.sim.SimRun;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    @Option(
            names = "--format",
            paramLabel = "LIST",
            defaultValue = "png",
            description = "Chart formats, comma-separated: png, svg.")
    String format;

    @Option(
            names = "--draws",
            paramLabel = "N",
            defaultValue = "10",
            description = "Independent seeded draws of k-random, averaged (mean_cost_sd is their spread).")
    int draws;

    @Option(
            names = "--metric-closure",
            description =
                    "Replace every RTT by the shortest path over the matrix first, so no detour beats a direct link.")
    boolean metricClosure;

    @Option(
            names = "--subset",
            paramLabel = "N",
            description = "Use a random subset of N nodes of the matrix (seeded by --subset-seed).")
    Integer subset;

    @Option(names = "--subset-seed", paramLabel = "S", description = "Seed of the --subset draw (default: --seed).")
    Long subsetSeed;

    @Option(
            names = "--stats",
            description = "Also print the full mesh with and without relaying, and BR's path hops and stretch per k.")
    boolean stats;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        SimRun.Request request = new SimRun.Request(
                matrix,
                generate,
                nodes,
                seed,
                k,
                policies,
                maxRounds,
                out,
                threads,
                churn,
                churnRate,
                duration,
                sampleEvery,
                epoch,
                format,
                draws,
                metricClosure,
                subset,
                subsetSeed,
                stats);
        long started = System.nanoTime();
        try {
            SimRun.prepare(request).execute(stdout, stderr, System.console() != null, json);
        } catch (SimRun.BadInput e) {
            if (e.getCause() instanceof java.io.IOException io) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--out " + out + ": cannot create the directory: " + UsageErrors.reason(io));
            }
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        stderr.printf("done in %.1f s%n", (System.nanoTime() - started) / 1e9);
        stderr.flush();
        stdout.flush();
        return 0;
    }
}
