package io.egoist.tracker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A byte budget for whole-overlay HTTP bodies, all clients together: {@code bytesPerSecond}, with a burst of one
 * second's worth (or one body, if larger). A response beyond it is not refused but delayed until the budget has
 * paid for it, in arrival order (the budget runs into debt and each response waits until the debt it left is
 * paid off); one that would wait longer than {@link #MAX_WAIT_MS} is refused ({@code 503}, {@code Retry-After}).
 *
 * <p>Why: at 10,000 nodes a document is about 2.8 MB, and a few clients reading it in a loop take whatever CPU the
 * machine has (the server's copies, the kernel's, the clients'), which is then missing for the line port's REGs.
 * The budget bounds what bulk reads can take; a client with {@code If-None-Match} ({@code 304}) or gzip costs
 * little or nothing of it. Thread-safe.
 */
final class OverlayBudget {
    /** A response that would wait longer than this gets 503 (the HTTP idle timeout is longer: 30 s). */
    static final long MAX_WAIT_MS = 10_000;

    private final long bytesPerSecond;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    private double tokens; // may go negative: the debt the queued responses still have to wait for
    private long lastNanos;
    private long delayed;
    private long refused;

    OverlayBudget(long bytesPerSecond, ScheduledExecutorService timer, LongSupplier nanoClock) {
        this.bytesPerSecond = bytesPerSecond;
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.lastNanos = nanoClock.getAsLong();
        this.tokens = Double.POSITIVE_INFINITY; // starts full: the first response passes whatever its size
    }

    /**
     * Completes when {@code bytes} may be sent: at once within the budget, later beyond it; completes with
     * {@code false} (and charges nothing) when the wait would exceed {@link #MAX_WAIT_MS}.
     */
    CompletableFuture<Boolean> acquire(long bytes) {
        long waitNanos;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            double cap = Math.max(bytesPerSecond, bytes);
            tokens = Math.min(cap, tokens + (now - lastNanos) * (bytesPerSecond / 1e9));
            lastNanos = now;
            if (tokens >= bytes || bytes == 0) {
                tokens -= bytes;
                return CompletableFuture.completedFuture(true);
            }
            waitNanos = (long) ((bytes - tokens) / bytesPerSecond * 1e9);
            if (waitNanos > TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS)) {
                refused++;
                return CompletableFuture.completedFuture(false);
            }
            tokens -= bytes;
            delayed++;
        }
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        try {
            timer.schedule(() -> f.complete(true), waitNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) { // shutting down
            f.complete(false);
        }
        return f;
    }

    /** Seconds a refused client should wait before trying again (the current debt, rounded up, at least 1). */
    synchronized long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(-Math.min(0, tokens) / bytesPerSecond));
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Responses delayed by the budget so far, and refused. */
    synchronized long[] counts() {
        return new long[] {delayed, refused};
    }
}
