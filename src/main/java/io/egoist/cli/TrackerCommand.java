package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "tracker", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run the bootstrap tracker.")
public final class TrackerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist tracker: not implemented yet");
        return 1;
    }
}
