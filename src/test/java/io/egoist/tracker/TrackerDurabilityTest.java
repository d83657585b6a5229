package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.wire.NodeId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost: the real {@code egoist tracker} in a child JVM is killed with SIGKILL while
 * clients stream UPTs (and REGs of new nodes) at it; what the clients saw acknowledged before the kill (the
 * tracker's close after a UPT, the complete reply to a REG) must all be in the database afterwards. Five runs on
 * one data directory (each restart also proves that the kill released the directory's lock).
 */
class TrackerDurabilityTest {
    static final int RUNS = 5;
    static final int NODES = 40;
    static final int STREAMS = 8;

    @TempDir
    Path dir;

    @Test
    void killNineMidStreamLosesNoAcknowledgedUpdateInFiveRuns() throws Exception {
        Path data = dir.resolve("data");
        List<String> summary = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            summary.add(oneRun(data, run));
        }
        System.out.println("kill -9 runs: " + summary);
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r, "durability-client");
        t.start();
        return t;
    }

    /** One run: start, register, stream, kill, then compare the database with what the clients saw. */
    private String oneRun(Path data, int run) throws Exception {
        int base = 20_000 + run * 2_000;
        NodeId[] nodes = new NodeId[NODES];
        for (int i = 0; i < NODES; i++) nodes[i] = new NodeId("127.0.0.1", base + 2 * i);
        AtomicLongArray acked = new AtomicLongArray(NODES); // highest UPT sequence number seen closed before the kill
        ConcurrentLinkedQueue<NodeId> regsAcked = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> oddities = new ConcurrentLinkedQueue<>();
        AtomicInteger ackCount = new AtomicInteger();
        long[] killNanos = {Long.MAX_VALUE};
        Object killLock = new Object();

        try (ChildTracker tracker = ChildTracker.start(data, dir.resolve("stderr-" + run + ".log"))) {
            int port = tracker.awaitPort();
            for (NodeId n : nodes) {
                try (LineClient c = new LineClient(port)) {
                    assertThat(c.send("REG@" + n).readReply().get(0)).doesNotStartWith("NACK");
                }
            }
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                int stream = s;
                threads.add(started(() -> {
                    long[] seq = new long[NODES];
                    while (true) {
                        for (int i = stream; i < NODES; i += STREAMS) {
                            long q = ++seq[i];
                            NodeId dst = nodes[(i + 1) % NODES];
                            List<String> got;
                            try {
                                got = LineClient.exchange(port, "UPT@" + nodes[i] + "@" + dst + "@" + q + "|");
                            } catch (IOException e) {
                                return; // the tracker is gone
                            }
                            long t = System.nanoTime();
                            synchronized (killLock) {
                                if (t >= killNanos[0]) return; // an end of stream after the kill proves nothing
                            }
                            if (!got.isEmpty()) {
                                oddities.add(nodes[i] + " got " + got);
                                return;
                            }
                            acked.set(i, q);
                            ackCount.incrementAndGet();
                        }
                    }
                }));
            }
            threads.add(started(() -> {
                for (int k = 0; ; k++) {
                    NodeId n = new NodeId("127.0.0.1", base + 1_000 + 2 * k);
                    try (LineClient c = new LineClient(port)) {
                        List<String> reply = c.send("REG@" + n).readReply();
                        long t = System.nanoTime();
                        synchronized (killLock) {
                            if (t >= killNanos[0]) return;
                        }
                        if (reply.get(0).startsWith("NACK")) {
                            oddities.add(n + " got " + reply);
                            return;
                        }
                        regsAcked.add(n);
                    } catch (IOException e) {
                        return;
                    }
                }
            }));
            await().atMost(Duration.ofSeconds(60)).until(() -> ackCount.get() >= 300 || !oddities.isEmpty());
            synchronized (killLock) {
                killNanos[0] = System.nanoTime();
            }
            tracker.kill9();
            for (Thread t : threads) t.join(30_000);
            assertThat(oddities).as("unexpected replies").isEmpty();
        }

        int lost = 0;
        long ackedTotal = 0;
        List<String> lostDetail = new ArrayList<>();
        try (TrackerStore store = TrackerStore.open(data)) {
            TrackerSnapshot db = store.load();
            for (int i = 0; i < NODES; i++) {
                long want = acked.get(i);
                ackedTotal += want;
                Optional<TrackerNode> n = db.node(nodes[i]);
                double have = n.isEmpty() || n.get().links().isEmpty()
                        ? 0
                        : n.get().links().get(0).cost();
                if (have < want) {
                    lost++;
                    lostDetail.add(nodes[i] + " acked " + want + " stored " + have);
                }
            }
            for (NodeId r : regsAcked) {
                if (db.node(r).isEmpty()) {
                    lost++;
                    lostDetail.add("REG " + r + " acknowledged, not stored");
                }
            }
        }
        assertThat(ackCount.get()).as("updates acknowledged before the kill").isGreaterThanOrEqualTo(300);
        assertThat(lostDetail).as("run " + run + ": acknowledged but lost").isEmpty();
        assertThat(lost).isZero();
        return "run " + run + ": " + ackCount.get() + " UPT + " + regsAcked.size() + " REG acknowledged, 0 lost";
    }
}
