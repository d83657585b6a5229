package io.egoist.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Long lines a core sends again and again (the tracker's REG reply is the same for every client between two
 * changes of the overlay) are encoded once into one direct, read-only buffer; each send writes a retained
 * duplicate of it (a view: no copy per client, and no copy into a direct buffer at write time either). A client
 * that never reads therefore holds a few small views, not its own copy of the reply.
 *
 * <p>Bounded: lines shorter than {@code minChars} are not cached, and the least recently sent lines are
 * dropped once the cached bytes exceed {@code maxBytes} (a line still being written to someone stays alive
 * until that write ends: the views hold references). Loop-confined.
 */
final class SharedLines {
    private final int minChars;
    private final long maxBytes;
    private final LinkedHashMap<String, ByteBuf> lines = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    SharedLines(int minChars, long maxBytes) {
        this.minChars = minChars;
        this.maxBytes = maxBytes;
    }

    boolean wants(String line) {
        return line.length() >= minChars;
    }

    /**
     * A view of the encoded line with CR LF, to write (the writer releases it); null if it cannot be cached (too
     * long for the cache, or not a single line: the caller's own checks then apply).
     */
    ByteBuf view(String line) {
        ByteBuf b = lines.get(line);
        if (b == null) {
            misses++;
            if (!Lines.isSingleLine(line)) return null;
            byte[] encoded = line.getBytes(StandardCharsets.UTF_8);
            int len = encoded.length + 2;
            if (len > maxBytes) return null;
            b = Unpooled.directBuffer(len, len);
            b.writeBytes(encoded);
            b.writeByte('\r').writeByte('\n');
            b = b.asReadOnly();
            lines.put(line, b);
            bytes += len;
            evict();
        } else {
            hits++;
        }
        return b.retainedDuplicate();
    }

    private void evict() {
        Iterator<Map.Entry<String, ByteBuf>> it = lines.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            ByteBuf b = it.next().getValue();
            it.remove();
            bytes -= b.readableBytes();
            b.release();
        }
    }

    long bytes() {
        return bytes;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    /** Releases every cached line (at shutdown). */
    void clear() {
        for (ByteBuf b : lines.values()) b.release();
        lines.clear();
        bytes = 0;
    }
}
