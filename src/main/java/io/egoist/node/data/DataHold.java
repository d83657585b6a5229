package io.egoist.node.data;

import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DATA/DACK lines that had no next hop when they had to be sent (the destination's in-links were being replaced,
 * its link state had not arrived yet, the only link towards it was still connecting or had just failed). They
 * wait here, in arrival order, until the view changes and a route appears, or until their deadline passes.
 * Bounded: when full, the new line is refused (and dropped by the caller). Pure bookkeeping, no I/O.
 */
final class DataHold {

    /**
     * One waiting line: the encoded DATA/DACK, its destination, when it gives up, why it is dropped then, and (at
     * the source, else null) the request it fails.
     */
    record Held(
            String key, String line, NodeId dst, long deadline, String msgId, String dropReason, String requestId) {}

    private final int capacity;
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();
    private long seq;

    DataHold(int capacity) {
        this.capacity = capacity;
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    int size() {
        return held.size();
    }

    /** Adds a line; false (nothing added) when full. */
    boolean add(String line, NodeId dst, long deadline, String msgId, String dropReason, String requestId) {
        if (held.size() >= capacity) return false;
        String key = Long.toString(seq++);
        held.put(key, new Held(key, line, dst, deadline, msgId, dropReason, requestId));
        return true;
    }

    /** Removes and returns every line whose deadline is at or before {@code now}, oldest first. */
    List<Held> expire(long now) {
        List<Held> r = new ArrayList<>();
        for (Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Held h = it.next().getValue();
            if (h.deadline() <= now) {
                r.add(h);
                it.remove();
            }
        }
        return r;
    }

    /** Every waiting line, oldest first (a copy: the caller may {@link #remove} while iterating). */
    List<Held> all() {
        return new ArrayList<>(held.values());
    }

    void remove(Held h) {
        held.remove(h.key());
    }

    /** The earliest deadline, or Long.MAX_VALUE when empty. */
    long earliestDeadline() {
        long m = Long.MAX_VALUE;
        for (Held h : held.values()) m = Math.min(m, h.deadline());
        return m;
    }
}
