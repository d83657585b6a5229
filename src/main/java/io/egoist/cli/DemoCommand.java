package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run a tracker and 20 nodes on loopback with emulated RIPE latencies.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist demo: not implemented yet");
        return 1;
    }
}
