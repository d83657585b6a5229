package io.egoist.cli;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * The process's exit code. On SIGTERM the JVM runs its shutdown hooks and then exits with 128 + 15 = 143 whatever
 * {@code main} returns, so a supervisor (systemd, docker) would record a clean stop as a failure. For the
 * long-running services, one more hook waits until the command has stopped cleanly (its own hooks trigger that)
 * and then ends the process with the command's exit code: 0 after a clean stop.
 */
final class ProcessExit {
    /** The commands that run until stopped and stop cleanly on SIGTERM. */
    static final Set<String> SERVICES = Set.of("tracker", "node");

    /** How long a SIGTERM waits for the command to finish its stop before the JVM's own exit code stands. */
    static final long STOP_TIMEOUT_SECONDS = 30;

    private ProcessExit() {}

    /** Runs {@code command} and exits the JVM with its code, also when a signal started the shutdown. */
    static void exit(String[] args, IntSupplier command) {
        if (args.length == 0 || !SERVICES.contains(args[0])) {
            System.exit(command.getAsInt());
            return;
        }
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Thread hook = new Thread(
                () -> {
                    try {
                        Runtime.getRuntime().halt(code.get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                    } catch (TimeoutException | ExecutionException e) {
                        // no clean stop in time: the JVM exits with its own code (143 on SIGTERM)
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "egoist-exit-code");
        Runtime.getRuntime().addShutdownHook(hook);
        int exit;
        try {
            exit = command.getAsInt();
        } catch (RuntimeException | Error e) {
            code.completeExceptionally(e);
            throw e;
        }
        code.complete(exit);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return; // a signal is stopping the JVM: the hook ends it with this exit code
        }
        System.exit(exit);
    }
}
