package io.egoist.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the real CLI in-process (EgoistCli.newCommandLine) and captures what it prints (test helper). */
final class Cli {
    private Cli() {}

    /** One CLI run: exit code, stdout, stderr. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        return run(new StringWriter(), args);
    }

    /** As {@link #run(String...)}, with stdout going to {@code out} (readable while the command runs). */
    static Run run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = EgoistCli.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
