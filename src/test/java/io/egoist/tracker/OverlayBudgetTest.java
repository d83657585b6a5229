package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole-overlay byte budget: within it at once, beyond it later and in order, far beyond it refused. */
class OverlayBudgetTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L); // a clock the test moves

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void withinTheBudgetAResponseGoesAtOnce() {
        OverlayBudget b = new OverlayBudget(1000, timer, nanos::get);
        assertThat(b.acquire(5000)).isCompletedWithValue(true); // starts full: the first passes whatever its size
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2)); // 2 s later: 1000 bytes back (the burst is one second's worth)
        assertThat(b.acquire(1000)).isCompletedWithValue(true);
        assertThat(b.acquire(0)).isCompletedWithValue(true); // a 304 costs nothing
        assertThat(b.counts()).containsExactly(0, 0);
    }

    @Test
    void beyondTheBudgetResponsesWaitTheirTurnInOrder() throws Exception {
        OverlayBudget b = new OverlayBudget(1000, timer, nanos::get);
        b.acquire(1000);
        CompletableFuture<Boolean> one = b.acquire(100); // 0.1 s of debt
        CompletableFuture<Boolean> two = b.acquire(100); // behind it: 0.2 s
        assertThat(one).isNotDone();
        assertThat(two).isNotDone();
        assertThat(two.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(one).isCompletedWithValue(true); // the earlier one was released first
        assertThat(b.counts()).containsExactly(2, 0);
    }

    @Test
    void aResponseThatWouldWaitTooLongIsRefusedAndChargesNothing() {
        OverlayBudget b = new OverlayBudget(1000, timer, nanos::get);
        b.acquire(1000);
        long tooMuch = OverlayBudget.MAX_WAIT_MS + 1000; // bytes at 1000 B/s: more than MAX_WAIT_MS of waiting
        assertThat(b.acquire(tooMuch)).isCompletedWithValue(false);
        assertThat(b.counts()).containsExactly(0, 1);
        assertThat(b.retryAfterSeconds()).isEqualTo(1);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(b.acquire(1000)).isCompletedWithValue(true); // nothing was charged for the refused one
    }
}
