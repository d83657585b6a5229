package io.egoist.runtime;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A FIFO of actions, each run no earlier than its due time and never before an action added earlier. Used
 * per connection and direction for latency emulation. Confined to one event loop thread.
 */
final class SerialDelay {
    private record Item(long dueNanos, Runnable action) {}

    private final EventLoop loop;
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private ScheduledFuture<?> timer;
    private long lastDue = Long.MIN_VALUE;

    SerialDelay(EventLoop loop) {
        this.loop = loop;
    }

    /** Runs {@code action} after {@code delayMillis} (at once when 0 and nothing is waiting). */
    void add(double delayMillis, Runnable action) {
        long now = System.nanoTime();
        if (queue.isEmpty() && !(delayMillis > 0)) {
            action.run();
            return;
        }
        long due = now + (delayMillis > 0 ? (long) (delayMillis * 1_000_000L) : 0L);
        if (!queue.isEmpty() && due - lastDue < 0) due = lastDue;
        lastDue = due;
        queue.add(new Item(due, action));
        if (timer == null) schedule(now);
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Runs everything that is waiting now, in order (used at shutdown). */
    void flushNow() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        while (!queue.isEmpty()) queue.poll().action().run();
    }

    /** Drops everything that is waiting. */
    void clear() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        queue.clear();
    }

    private void schedule(long now) {
        Item head = queue.peek();
        timer = loop.schedule(this::drain, Math.max(0, head.dueNanos() - now), TimeUnit.NANOSECONDS);
    }

    private void drain() {
        timer = null;
        long now = System.nanoTime();
        while (!queue.isEmpty() && queue.peek().dueNanos() - now <= 0) {
            queue.poll().action().run();
        }
        if (!queue.isEmpty() && timer == null) schedule(now);
    }
}
