package io.egoist.tracker;

import io.egoist.core.LogValues;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.WireCodec;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a rejected input into its NACK line, its WARN line and its count. The NACK's reason is printable ASCII
 * (whatever the input held is escaped: {@code \x1b}, backslash-u-00e9); the WARN line quotes and escapes it with
 * {@link LogValues#q}. Rejections by capacity limits come in floods: their WARN lines are limited to one per
 * second per category, each saying how many were not logged since the previous one.
 */
final class Rejections {
    private static final Logger log = LoggerFactory.getLogger(TrackerCore.class);

    static final long WARN_INTERVAL_MS = 1_000;
    /** Longest NACK reason sent (after escaping). */
    static final int MAX_REASON = 200;

    private final TrackerStats.Counts counts;
    /** Per category: when its last WARN line was written and how many rejections it has not reported. */
    private final Map<String, long[]> warnLimiter = new HashMap<>();

    Rejections(TrackerStats.Counts counts) {
        this.counts = counts;
    }

    /** Counts and logs a rejection; returns the NACK line to send. */
    String reject(String peer, String field, String reason, String category) {
        counts.inc(category);
        log.warn("event=reject peer={} reason={} category={}", peer, LogValues.q(nackReason(field, reason)), category);
        return answer(field, reason);
    }

    /** The NACK line for {@code field: reason}, neither counted nor logged (a normal answer, not a rejection). */
    static String answer(String field, String reason) {
        return WireCodec.encode(new Message.Nack(nackReason(field, reason)));
    }

    /** The same for a capacity limit, its WARN line rate-limited per category. */
    String rejectLimited(long now, String peer, String field, String reason, String category) {
        counts.inc(category);
        String nack = nackReason(field, reason);
        long[] state = warnLimiter.computeIfAbsent(category, k -> new long[] {Long.MIN_VALUE, 0});
        if (state[0] == Long.MIN_VALUE || now - state[0] >= WARN_INTERVAL_MS) {
            log.warn(
                    "event=reject peer={} reason={} category={} not_logged_since_last={}",
                    peer,
                    LogValues.q(nack),
                    category,
                    state[1]);
            state[0] = now;
            state[1] = 0;
        } else {
            state[1]++;
        }
        return WireCodec.encode(new Message.Nack(nack));
    }

    /** {@code field: reason}, printable ASCII only, no {@code @}, at most {@link #MAX_REASON} characters. */
    static String nackReason(String field, String reason) {
        String s = new Decoded.Err(field, reason).nackReason();
        return LogValues.ascii(s, MAX_REASON);
    }

    /**
     * A small fixed set of reasons for the NACK counter (the NACK text itself is precise): bad-cost,
     * bad-address, bad-port, unknown-type, mixed-sources, malformed (plus the categories the core decides itself).
     */
    static String category(String field, String reason) {
        String f = field == null ? "" : field;
        String r = reason == null ? "" : reason;
        if (f.endsWith("cost")) return "bad-cost";
        if (f.equals("type")) return "unknown-type";
        if (r.contains("differs from")) return "mixed-sources";
        if (r.startsWith("malformed port") || r.startsWith("port ")) return "bad-port";
        if (f.equals("node") || f.endsWith(".src") || f.endsWith(".dst") || f.equals("src") || f.equals("dst")) {
            return "bad-address";
        }
        return "malformed";
    }
}
