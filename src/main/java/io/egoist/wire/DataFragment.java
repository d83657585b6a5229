package io.egoist.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fragments of a DATA payload too large for one wire line (lines are at most {@link Seed#MAX_LENGTH} bytes, so
 * one DATA carries about 11.6 KB at the default TTL). End to end: the sender splits, every fragment travels as an
 * ordinary DATA (own msgId, own DACK, forwarded by any data-capable node unchanged), the destination reassembles.
 *
 * <p>A fragment is a DATA payload that starts with the 4 bytes {@code 00 45 47 46} ({@code "\0EGF"}), then:
 * version (1 byte, = 1), group id (8 bytes), index (2 bytes), count (2 bytes), total length (4 bytes), all
 * big-endian, then the fragment's bytes. A payload that fits one line and does not start with those 4 bytes
 * travels as it is (so short messages look exactly as before); one that starts with them is sent as a group of
 * one fragment, so a receiver never mistakes a plain payload for a fragment.
 */
public final class DataFragment {
    private DataFragment() {}

    static final byte[] MAGIC = {0, 'E', 'G', 'F'};
    public static final int VERSION = 1;
    public static final int HEADER = MAGIC.length + 1 + 8 + 2 + 2 + 4;
    /** Most fragments one group may have (a bound for receivers; 64 KiB needs 6 at the default TTL). */
    public static final int MAX_COUNT = 1024;

    /** One parsed fragment. */
    public record Fragment(long group, int index, int count, int total, byte[] data) {}

    /**
     * The largest payload whose DATA line stays within {@link Seed#MAX_LENGTH} bytes at any hop, for messages
     * sent with {@code ttl}: the longest msgId, the longest ids, a path of ttl + 1 hops, Base64.
     */
    public static int maxLinePayload(int ttl) {
        int id = "255.255.255.255:65535".length();
        int overhead = WireCodec.DATA.length()
                + 1
                + WireCodec.MAX_MSG_ID_LENGTH
                + 1
                + 3
                + 1
                + id
                + 1
                + id
                + 1
                + (ttl + 1) * (id + 1)
                + 1;
        return (Seed.MAX_LENGTH - overhead) / 4 * 3;
    }

    /**
     * The payloads to send for {@code payload}: itself when it fits {@code maxLine} bytes and cannot be mistaken
     * for a fragment, else fragments of group {@code group} each at most {@code maxLine} bytes.
     */
    public static List<byte[]> split(byte[] payload, long group, int maxLine) {
        if (payload.length <= maxLine && !startsWithMagic(payload)) return List.of(payload);
        int chunk = maxLine - HEADER;
        if (chunk < 1) throw new IllegalArgumentException("no room for a fragment in " + maxLine + " bytes");
        int count = Math.max(1, (payload.length + chunk - 1) / chunk);
        if (count > MAX_COUNT)
            throw new IllegalArgumentException(
                    "payload of " + payload.length + " bytes needs over " + MAX_COUNT + " fragments");
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * chunk, len = Math.min(chunk, payload.length - from);
            ByteBuffer b = ByteBuffer.allocate(HEADER + len);
            b.put(MAGIC).put((byte) VERSION).putLong(group).putShort((short) i).putShort((short) count);
            b.putInt(payload.length).put(payload, from, len);
            out.add(b.array());
        }
        return out;
    }

    public static boolean startsWithMagic(byte[] payload) {
        return payload.length >= MAGIC.length && Arrays.equals(payload, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * Parses a received payload: null when it is a plain payload; a {@link Fragment}; or an
     * IllegalArgumentException naming what is wrong with a malformed fragment (dropped by the receiver).
     */
    public static Fragment parse(byte[] payload, int maxTotal) {
        if (!startsWithMagic(payload)) return null;
        if (payload.length < HEADER) throw new IllegalArgumentException("fragment shorter than its header");
        ByteBuffer b = ByteBuffer.wrap(payload, MAGIC.length, payload.length - MAGIC.length);
        int version = b.get() & 0xff;
        if (version != VERSION) throw new IllegalArgumentException("unknown fragment version " + version);
        long group = b.getLong();
        int index = b.getShort() & 0xffff, count = b.getShort() & 0xffff;
        int total = b.getInt();
        if (count < 1 || count > MAX_COUNT) throw new IllegalArgumentException("fragment count " + count);
        if (index >= count) throw new IllegalArgumentException("fragment index " + index + " of " + count);
        if (total < 0 || total > maxTotal)
            throw new IllegalArgumentException("total length " + total + " over the maximum " + maxTotal);
        int len = payload.length - HEADER;
        if (len > total) throw new IllegalArgumentException("fragment longer than its message");
        return new Fragment(group, index, count, total, Arrays.copyOfRange(payload, HEADER, payload.length));
    }
}
