package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit per loop pass: the changes the core makes in one pass of its loop reach the store in one hand-over
 * and are committed in one transaction, in order; a change of a later pass is handed over on its own.
 */
class StoreFeedTest {
    @TempDir
    Path dir;

    private static TrackerEffect persist(int i) {
        NodeId id = new NodeId("10.0.0." + i, 7000);
        return new TrackerEffect.PersistNode(
                new TrackerNode(id, i, false, List.of(new Link(id, new NodeId("10.0.1.1", 7000), i))));
    }

    /** Waits until the tasks queued so far on the loop (the hand-over) have run. */
    private static void endOfPass(ExecutorService loop) throws Exception {
        loop.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @Test
    void changesOfOneLoopPassAreCommittedInOneTransaction() throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor();
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.load();
            StoreFeed feed = new StoreFeed(store, loop);
            // one pass: five changes (and effects that are not the store's), handed over when the pass ends
            loop.submit(() -> {
                        for (int i = 1; i <= 5; i++) {
                            feed.accept(persist(i));
                            feed.accept(new Effect.Close(new ConnId(-i)));
                        }
                        assertThat(store.pendingCount()).isZero(); // nothing handed over during the pass
                    })
                    .get(10, TimeUnit.SECONDS);
            endOfPass(loop);
            assertThat(store.flush(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.stats().batches()).isEqualTo(1);
            assertThat(store.stats().rows()).isEqualTo(5);

            loop.submit(() -> feed.accept(persist(6))).get(10, TimeUnit.SECONDS);
            endOfPass(loop);
            assertThat(store.flush(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.stats().batches()).isEqualTo(2);
            loop.submit(() -> assertThat(feed.handOvers()).isEqualTo(2)).get(10, TimeUnit.SECONDS);
        } finally {
            loop.shutdownNow();
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes())
                    .extracting(TrackerNode::lastSeenMs)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        }
    }

    @Test
    void aFullBufferIsHandedOverAtOnceAndNothingIsLost() throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor();
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.load();
            StoreFeed feed = new StoreFeed(store, loop);
            int n = StoreFeed.MAX_GATHERED + 10;
            loop.submit(() -> {
                        for (int i = 0; i < n; i++) feed.accept(persist(1 + i % 250));
                    })
                    .get(10, TimeUnit.SECONDS);
            endOfPass(loop);
            assertThat(store.flush(10, TimeUnit.SECONDS)).isTrue();
            loop.submit(() -> assertThat(feed.handOvers()).isEqualTo(2)).get(10, TimeUnit.SECONDS);
        } finally {
            loop.shutdownNow();
        }
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().nodes()).hasSize(250);
        }
    }
}
