package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "node", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Measure a node's footprint in a 100-node overlay.")
public final class BenchNodeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist bench node: not implemented yet");
        return 1;
    }
}
