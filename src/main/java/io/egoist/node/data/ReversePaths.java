package io.egoist.node.data;

import io.egoist.core.ConnId;
import io.egoist.wire.NodeId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hop-by-hop reverse state for acknowledgements: for each DATA this node relayed, the connection it arrived on and
 * the node it came from, so that a DACK can go back the way its DATA came and never needs a route of its own (in a
 * mixed overlay the destination may have no data-capable path back to the source). A node that has a data route
 * towards the source still uses it: a connection back may be closing when a re-wiring retires it, and a DACK
 * written there would be lost. Bounded: at most {@code
 * capacity} entries, each forgotten {@code ttlMs} after the DATA passed (a later DACK is useless: the source has
 * given up); when full, the oldest entry goes first and is counted. Pure bookkeeping, no I/O, no clock.
 */
final class ReversePaths {

    /** Where a relayed DATA came from: the connection it arrived on and the previous hop of its path. */
    record Back(ConnId conn, NodeId prev, long expiresAt) {}

    private final int capacity;
    private final long ttlMs;
    /** Insertion order is arrival order, and every entry lives ttlMs: the eldest expires first. */
    private final LinkedHashMap<String, Back> entries = new LinkedHashMap<>();

    private long evicted;

    ReversePaths(int capacity, long ttlMs) {
        this.capacity = capacity;
        this.ttlMs = ttlMs;
    }

    private static String key(NodeId dataSrc, String msgId) {
        return dataSrc + "/" + msgId;
    }

    /** Remembers where the DATA {@code msgId} of {@code dataSrc} came from (the first arrival wins). */
    void remember(NodeId dataSrc, String msgId, ConnId conn, NodeId prev, long now) {
        expire(now);
        String k = key(dataSrc, msgId);
        if (entries.containsKey(k)) return;
        if (entries.size() >= capacity) {
            Iterator<Map.Entry<String, Back>> it = entries.entrySet().iterator();
            it.next();
            it.remove();
            evicted++;
        }
        entries.put(k, new Back(conn, prev, now + ttlMs));
    }

    /** Takes the way back for the DACK of {@code msgId} from {@code dataSrc}'s DATA, or null (unknown, expired). */
    Back take(NodeId dataSrc, String msgId, long now) {
        expire(now);
        return entries.remove(key(dataSrc, msgId));
    }

    private void expire(long now) {
        for (Iterator<Map.Entry<String, Back>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue().expiresAt() > now) return;
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }

    /** Entries dropped because the table was full. */
    long evicted() {
        return evicted;
    }
}
