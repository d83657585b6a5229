package io.egoist.cli;

import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.LocalOverlay;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code egoist demo --watch}: prints the live map's URL once the nodes are up, the report once it is ready,
 * then keeps the overlay running until SIGINT/SIGTERM (or {@link DemoCommand#stop}).
 *
 * <p>On a signal the shutdown hook releases the main thread, waits for it to close the overlay and exits 0.
 * When the signal comes while the demo is still converging, the hook closes the overlay itself.
 */
final class DemoWatch {
    /** How long the hook waits for the main thread before closing the overlay itself. */
    static final long HOOK_WAIT_MS = 3_000;

    private final DemoCommand command;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;
    private volatile LocalOverlay overlay;

    DemoWatch(DemoCommand command, PrintWriter out, PrintWriter err) {
        this.command = command;
        this.out = out;
        this.err = err;
        this.hook = new Thread(this::onSignal, "egoist-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    void started(LocalOverlay o) {
        overlay = o;
        o.tracker().liveMap().names(o::nameOf);
        String url = "http://127.0.0.1:" + o.tracker().httpPort() + "/";
        command.mapUrl = url;
        PrintWriter w = command.json ? err : out;
        w.println("live map: " + url + " (Ctrl-C to stop)");
        w.flush();
    }

    void running(LocalOverlay o, Demo.Result result) {
        try {
            command.report(out, result);
        } catch (Exception e) {
            err.println("egoist demo: cannot print the report: " + e.getMessage());
        }
        err.println("the overlay keeps running; live map: " + command.mapUrl + " (Ctrl-C to stop)");
        err.flush();
        try {
            command.stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called by the main thread once everything is closed. */
    void stopped() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it exits
        }
    }

    private void onSignal() {
        command.stop.countDown();
        try {
            if (!done.await(HOOK_WAIT_MS, TimeUnit.MILLISECONDS)) {
                // still converging: stop the overlay from here (the main thread's calls then fail, harmlessly)
                LocalOverlay o = overlay;
                if (o != null) o.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            err.println("egoist demo: while stopping: " + e);
        } finally {
            out.flush();
            err.flush();
            // a stop asked for by the user is a success, whatever the main thread is doing
            Runtime.getRuntime().halt(0);
        }
    }
}
