package io.egoist.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Large HTTP bodies that are served many times (the tracker's {@code /api/overlay} snapshot: the same byte array
 * until the overlay changes) are copied once into a direct buffer and each response writes a view of it. A heap
 * body would be copied into a fresh direct buffer by the NIO transport for every response (a 1.8-3 MB copy and
 * allocation per request at 10,000 nodes), which is what competes with the protocol thread for the CPU.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} bodies and {@link #MAX_BYTES} bytes are kept (the least recently used
 * first dropped; a body still being written stays alive until its write ends, by reference count). Bodies under
 * {@link #MIN_BYTES} are wrapped as before. Keyed by the array's identity: a caller must not change an array it
 * has handed out as a body (responses are immutable).
 */
final class SharedBodies {
    static final int MIN_BYTES = 64 * 1024;
    static final int MAX_ENTRIES = 4;
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private record Entry(byte[] array, ByteBuf direct) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>(); // most recently used first
    private long bytes;

    /** A buffer with the body's bytes for one response (the caller's write releases it). */
    ByteBuf body(byte[] b) {
        if (b.length < MIN_BYTES || b.length > MAX_BYTES) return Unpooled.wrappedBuffer(b);
        synchronized (this) {
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.array() == b) {
                    if (entries.peekFirst() != e) {
                        it.remove();
                        entries.addFirst(e);
                    }
                    return e.direct().retainedDuplicate();
                }
            }
            ByteBuf direct = Unpooled.directBuffer(b.length, b.length).writeBytes(b);
            entries.addFirst(new Entry(b, direct));
            bytes += b.length;
            while (entries.size() > MAX_ENTRIES || bytes > MAX_BYTES) {
                Entry old = entries.pollLast();
                bytes -= old.array().length;
                old.direct().release(); // freed once the writes still holding views have ended
            }
            return direct.retainedDuplicate();
        }
    }

    /** Bodies kept now (tests). */
    synchronized int size() {
        return entries.size();
    }

    /** Drops every kept body (the server closes). */
    synchronized void clear() {
        for (Entry e : entries) e.direct().release();
        entries.clear();
        bytes = 0;
    }
}
