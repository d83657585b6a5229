package io.egoist.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks (figures to quote, never timing assertions).",
        subcommands = {
            BenchTrackerCommand.class,
            BenchBrCommand.class,
            BenchNodeCommand.class,
            BenchTlsCommand.class,
            BenchSecurityCommand.class,
            BenchTunnelCommand.class,
            BenchRoutesCommand.class
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
