package io.egoist.tracker;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tracker's figures as the core keeps them, readable from any thread without the core's: {@code /healthz} and
 * {@code /metrics} read them on the HTTP threads, so a scrape never waits for (or adds work to) the protocol
 * thread. The core is the only writer: it bumps a counter where it counts and sets the gauges once at the end of
 * each event, from figures it keeps incrementally (no walk over the nodes). A reader may see one event's counts a
 * moment before its gauges; every value it sees is one the core has had.
 */
public final class TrackerStats {

    /** Named monotonic counts with one writer (the core's thread) and any number of readers. */
    static final class Counts {
        private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

        void inc(String key) {
            counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        }

        Map<String, Long> copy() {
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.get()));
            return out;
        }
    }

    final Counts messages = new Counts();
    final Counts nacks = new Counts();
    final Counts removals = new Counts();
    private final AtomicLong idleCloses = new AtomicLong();

    private volatile int nodes;
    private volatile int links;
    private volatile int suspects;
    private volatile int connections;
    private volatile int heldAcks;

    void addIdleCloses(int n) {
        idleCloses.addAndGet(n);
    }

    /** The gauges after an event (the core's thread). */
    void set(int nodes, int links, int suspects, int connections, int heldAcks) {
        if (this.nodes != nodes) this.nodes = nodes;
        if (this.links != links) this.links = links;
        if (this.suspects != suspects) this.suspects = suspects;
        if (this.connections != connections) this.connections = connections;
        if (this.heldAcks != heldAcks) this.heldAcks = heldAcks;
    }

    public int nodes() {
        return nodes;
    }

    public int links() {
        return links;
    }

    public int suspects() {
        return suspects;
    }

    /** Connections the core knows as open. */
    public int connections() {
        return connections;
    }

    /** Acknowledgements held until the store reports their change durable. */
    public int heldAcks() {
        return heldAcks;
    }

    /** A copy of the counts. */
    public TrackerCounters counters() {
        return new TrackerCounters(messages.copy(), nacks.copy(), removals.copy(), idleCloses.get());
    }
}
