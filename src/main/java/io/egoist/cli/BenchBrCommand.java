package io.egoist.cli;

import io.egoist.bench.BrBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code egoist bench br}: wall-clock time of one best response in a few settings ({@link BrBench}). */
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

    @Override
    public Integer call() throws IOException {
        BrBench bench = new BrBench(repeat, warmup, warmupMs, seed);
        if (only != null) {
            for (String o : only) {
                if (!BrBench.SCENARIOS.contains(o)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--only: unknown scenario '" + o + "'; known: " + String.join(", ", BrBench.SCENARIOS));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<BrBench.Result> results = bench.runAll(only, spec.commandLine().getErr());
        if (json) {
            out.println(bench.json(results));
        } else {
            bench.printTable(out, results);
        }
        out.flush();
        return 0;
    }

    /** The shipped RIPE country RTT matrix as a plain array. */
    static double[][] readRipe() throws IOException {
        return BrBench.readRipe();
    }
}
