package io.egoist.sim;

import java.io.PrintWriter;

/** A progress bar on stderr: {@code [#####.....] 12/35 k=4 policy=br}; redrawn in place on a terminal. */
public final class Progress {
    private final PrintWriter err;
    private final int total;
    private final boolean inPlace;
    private int done;

    public Progress(PrintWriter err, int total, boolean inPlace) {
        this.err = err;
        this.total = total;
        this.inPlace = inPlace;
    }

    public synchronized void step(String label) {
        done++;
        int width = 20;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        String bar = "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " " + label;
        if (inPlace) {
            err.print("\r" + bar + "\033[K");
            if (done == total) {
                err.println();
            }
        } else {
            err.println(bar);
        }
        err.flush();
    }
}
