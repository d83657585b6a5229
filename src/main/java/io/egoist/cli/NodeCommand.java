package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "node", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Run an overlay node.")
public final class NodeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist node: not implemented yet");
        return 1;
    }
}
