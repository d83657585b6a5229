package io.egoist.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code egoist}: the one entry point. Each subcommand lives in its own class in this package. */
@Command(
        name = "egoist",
        mixinStandardHelpOptions = true,
        versionProvider = EgoistCli.Version.class,
        description = "EGOIST overlay routing with Selfish Neighbor Selection.",
        subcommands = {
            TrackerCommand.class,
            NodeCommand.class,
            DemoCommand.class,
            SimCommand.class,
            StatusCommand.class,
            RouteCommand.class,
            SendCommand.class,
            ForwardCommand.class,
            BenchCommand.class,
            CaCommand.class,
            CommandLine.HelpCommand.class
        })
public final class EgoistCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        ProcessExit.exit(args, () -> execute(args));
    }

    /** Runs the CLI without exiting the JVM (for tests). */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new EgoistCli());
        cl.setUsageHelpAutoWidth(true);
        // bad input on the command line: one line `egoist <command>: <what is wrong>`, exit code 2
        UsageErrors.install(cl);
        HelpText.install(cl);
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = EgoistCli.class.getPackage().getImplementationVersion();
            return new String[] {"egoist " + (v == null ? "0.1.0" : v)};
        }
    }
}
