package io.egoist.tracker;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Writes an overlay of {@code n} nodes with 4 links each into a tracker database (test helper: fast set-up). */
final class BigOverlay {
    private BigOverlay() {}

    static NodeId id(int i) {
        int v = i + 1;
        return new NodeId("10." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255), 7000);
    }

    static void write(Path dataDir, int n, long nowMs) throws InterruptedException {
        Random rnd = new Random(7);
        TrackerStore store = TrackerStore.open(dataDir).start();
        try {
            for (int i = 0; i < n; i++) {
                List<Link> links = new ArrayList<>(4);
                for (int k = 0; k < 4; k++) {
                    int d = (i + 1 + rnd.nextInt(n - 1)) % n;
                    links.add(new Link(id(i), id(d), Math.round(rnd.nextDouble() * 300_000) / 1000.0));
                }
                store.accept(new TrackerEffect.PersistNode(new TrackerNode(id(i), nowMs, false, List.copyOf(links))));
            }
            store.flush(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            store.close();
        }
    }
}
