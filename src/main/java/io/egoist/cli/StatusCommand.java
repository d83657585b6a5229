package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Show a running node's status.")
public final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist status: not implemented yet");
        return 1;
    }
}
