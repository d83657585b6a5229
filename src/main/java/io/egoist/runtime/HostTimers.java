package io.egoist.runtime;

import io.egoist.core.Event;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A core's timers by key ({@code SetTimer} replaces a timer of the same key), on the host's loop. Loop-confined. */
final class HostTimers {
    private final EventLoop loop;
    private final Consumer<Event> fire;
    private final Map<String, Task> timers = new HashMap<>();

    HostTimers(EventLoop loop, Consumer<Event> fire) {
        this.loop = loop;
        this.fire = fire;
    }

    private final class Task implements Runnable {
        final String key;
        ScheduledFuture<?> future;

        Task(String key) {
            this.key = key;
        }

        @Override
        public void run() {
            if (timers.get(key) != this) return;
            timers.remove(key);
            fire.accept(new Event.TimerFired(key));
        }
    }

    void set(String key, long delayMillis) {
        cancel(key);
        Task t = new Task(key);
        timers.put(key, t);
        t.future = loop.schedule(t, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    void cancel(String key) {
        Task old = timers.remove(key);
        if (old != null && old.future != null) old.future.cancel(false);
    }

    void cancelAll() {
        for (Task t : timers.values()) {
            if (t.future != null) t.future.cancel(false);
        }
        timers.clear();
    }
}
