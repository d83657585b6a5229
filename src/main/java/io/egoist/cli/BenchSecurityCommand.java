package io.egoist.cli;

import io.egoist.bench.SecurityBench;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code egoist bench security}: secure mode's cost per announcement and per DATA message ({@link SecurityBench}). */
@Command(
        name = "security",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Cost of signed link state (sign+verify) and end-to-end DATA (seal+open+ack proof) per"
                + " operation, side by side with open mode.")
public final class BenchSecurityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", description = "Timed rounds per variant (after a warm-up of a quarter as many).")
    int rounds = 41;

    @Option(names = "--batch", description = "Operations per round.")
    int batch = 200;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        if (rounds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1");
        if (batch < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1");
        SecurityBench bench = new SecurityBench(rounds, batch);
        List<SecurityBench.Row> rows = bench.run(spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(bench.json(rows));
        else bench.printTable(out, rows);
        out.flush();
        return 0;
    }
}
