package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "sim", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Compare wiring policies on a latency matrix.")
public final class SimCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist sim: not implemented yet");
        return 1;
    }
}
