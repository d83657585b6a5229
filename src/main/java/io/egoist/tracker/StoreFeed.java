package io.egoist.tracker;

import io.egoist.core.Effect;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The core's persistence effects on their way to the {@link TrackerStore}, gathered per pass of the event loop:
 * the first change of a pass queues one hand-over task on the loop, which runs after the loop has handled every
 * connection that was ready in that pass. So the UPTs that arrive together (one {@code epoll_wait}) cost one lock
 * and at most one wake-up of the store's writer, and go into one transaction; a lone UPT is handed over within
 * the same pass (no timer, no added wait). The order of the changes (and so the numbering {@link AckGate} relies
 * on) is kept. Loop-confined: call {@link #accept} on the loop thread only.
 */
final class StoreFeed implements Consumer<Effect> {
    /** Changes gathered in one pass beyond this are handed over at once (bounds the buffer). */
    static final int MAX_GATHERED = 1024;

    private final TrackerStore store;
    private final Executor loop;
    private final ArrayList<Effect> gathered = new ArrayList<>();
    private final Runnable handOver = this::handOver;
    private long handOvers;

    StoreFeed(TrackerStore store, Executor loop) {
        this.store = store;
        this.loop = loop;
    }

    @Override
    public void accept(Effect effect) {
        if (!(effect instanceof TrackerEffect)) return;
        boolean first = gathered.isEmpty();
        gathered.add(effect);
        if (gathered.size() >= MAX_GATHERED) {
            handOver();
        } else if (first) {
            try {
                loop.execute(handOver);
            } catch (RejectedExecutionException e) { // loop shutting down: hand over now rather than lose it
                handOver();
            }
        }
    }

    /** Hands what was gathered to the store (on the loop thread; a no-op when nothing is gathered). */
    void handOver() {
        if (gathered.isEmpty()) return;
        store.acceptAll(gathered);
        gathered.clear();
        handOvers++;
    }

    /** Hand-overs so far (each is one lock of the store and at most one wake-up of its writer). */
    long handOvers() {
        return handOvers;
    }
}
