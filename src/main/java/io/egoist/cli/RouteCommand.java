package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "route", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Show a running node's route to a destination.")
public final class RouteCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist route: not implemented yet");
        return 1;
    }
}
