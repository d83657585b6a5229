package io.egoist.cli;

import io.egoist.bench.TlsBench;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code egoist bench tls}: probe RTT on loopback, plain vs mutual TLS 1.3, side by side ({@link TlsBench}). */
@Command(
        name = "tls",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Probe round-trip time on loopback over plain lines and over mutual TLS 1.3, alternating.")
public final class BenchTlsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rounds", description = "Alternating rounds (plain, then TLS).")
    int rounds = 10;

    @Option(names = "--probes", description = "Probes per round and kind, one at a time.")
    int probes = 500;

    @Option(names = "--warmup", description = "Untimed probes of each kind first.")
    int warmup = 2000;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || probes < 1 || warmup < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--rounds and --probes must be at least 1, --warmup at least 0");
        }
        TlsBench.Result r = TlsBench.run(rounds, probes, warmup);
        var out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "probe RTT on loopback, %d probes of each kind in %d alternating rounds:%n"
                        + "plain  median %.3f ms  p90 %.3f ms%n"
                        + "tls    median %.3f ms  p90 %.3f ms%n"
                        + "tls - plain: median %+.3f ms (x%.2f)%n",
                r.probes(),
                rounds,
                r.plainMedian(),
                r.plainP90(),
                r.tlsMedian(),
                r.tlsP90(),
                r.tlsMedian() - r.plainMedian(),
                r.tlsMedian() / r.plainMedian());
        out.flush();
        return 0;
    }
}
