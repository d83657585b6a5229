package io.egoist.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "send", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Send a message over the overlay from a running node.")
public final class SendCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("egoist send: not implemented yet");
        return 1;
    }
}
