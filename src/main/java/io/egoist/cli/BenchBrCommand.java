package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "br", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Time best responses.")
public final class BenchBrCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist bench br: not implemented yet");
        return 1;
    }
}
