package io.egoist.node.runtime;

import io.egoist.wire.DataFragment;
import io.egoist.wire.NodeId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts fragmented messages ({@link DataFragment}) back together at their destination. Bounded: at most
 * {@link #MAX_PARTIAL} unfinished messages and {@link #MAX_BYTES} buffered bytes (the oldest unfinished message
 * is dropped to make room), and an unfinished message is dropped {@code expireMs} after its first fragment.
 * Its sender then sees no acknowledgement for the missing fragments and reports the send as failed. Confined
 * to one thread (the node's loop).
 */
final class Reassembly {
    private static final Logger log = LoggerFactory.getLogger(Reassembly.class);

    static final int MAX_PARTIAL = 64;
    static final int MAX_BYTES = 4 << 20;

    private record Key(NodeId src, long group) {}

    private static final class Partial {
        final int count;
        final int total;
        final byte[][] parts;
        final long expiresAt;
        int have;
        int bytes;

        Partial(int count, int total, long expiresAt) {
            this.count = count;
            this.total = total;
            this.parts = new byte[count][];
            this.expiresAt = expiresAt;
        }
    }

    private final long expireMs;
    private final LinkedHashMap<Key, Partial> partials = new LinkedHashMap<>();
    private int buffered;
    private long dropped;

    Reassembly(long expireMs) {
        this.expireMs = expireMs;
    }

    /** Unfinished messages dropped (expired, evicted or inconsistent), since the start. */
    long dropped() {
        return dropped;
    }

    int unfinished() {
        return partials.size();
    }

    int bufferedBytes() {
        return buffered;
    }

    /** Adds a fragment from {@code src}; returns the whole message when this fragment completed it, else null. */
    byte[] add(NodeId src, DataFragment.Fragment f, long nowMs) {
        expire(nowMs);
        Key key = new Key(src, f.group());
        Partial p = partials.get(key);
        if (p == null) {
            if (f.count() == 1) return f.data().length == f.total() ? f.data() : inconsistent(key, null, "length");
            p = new Partial(f.count(), f.total(), nowMs + expireMs);
            partials.put(key, p);
        } else if (p.count != f.count() || p.total != f.total()) {
            return inconsistent(key, p, "count_or_total");
        }
        if (p.parts[f.index()] != null) return null; // a duplicate (e.g. re-sent after a routing change)
        if (p.bytes + f.data().length > p.total) return inconsistent(key, p, "length");
        while (buffered + f.data().length > MAX_BYTES || partials.size() > MAX_PARTIAL) {
            Map.Entry<Key, Partial> oldest = partials.entrySet().iterator().next();
            if (oldest.getKey().equals(key)) break; // only this one left
            drop(oldest.getKey(), oldest.getValue(), "evicted");
        }
        p.parts[f.index()] = f.data();
        p.have++;
        p.bytes += f.data().length;
        buffered += f.data().length;
        if (p.have < p.count) return null;
        partials.remove(key);
        buffered -= p.bytes;
        if (p.bytes != p.total) {
            dropped++;
            log.info("event=reassembly_dropped src={} group={} reason=length", src, f.group());
            return null;
        }
        byte[] whole = new byte[p.total];
        int at = 0;
        for (byte[] part : p.parts) {
            System.arraycopy(part, 0, whole, at, part.length);
            at += part.length;
        }
        return whole;
    }

    private void expire(long nowMs) {
        for (Iterator<Map.Entry<Key, Partial>> it = partials.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Partial> e = it.next();
            if (e.getValue().expiresAt > nowMs) break; // insertion order = expiry order
            it.remove();
            buffered -= e.getValue().bytes;
            dropped++;
            log.info(
                    "event=reassembly_dropped src={} group={} reason=expired",
                    e.getKey().src(),
                    e.getKey().group());
        }
    }

    private byte[] inconsistent(Key key, Partial p, String what) {
        if (p != null) drop(key, p, "inconsistent_" + what);
        else {
            dropped++;
            log.info("event=reassembly_dropped src={} group={} reason=inconsistent_{}", key.src(), key.group(), what);
        }
        return null;
    }

    private void drop(Key key, Partial p, String reason) {
        partials.remove(key);
        buffered -= p.bytes;
        dropped++;
        log.info("event=reassembly_dropped src={} group={} reason={}", key.src(), key.group(), reason);
    }
}
