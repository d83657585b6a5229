package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "tracker", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Load a tracker with REG and UPT traffic.")
public final class BenchTrackerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist bench tracker: not implemented yet");
        return 1;
    }
}
