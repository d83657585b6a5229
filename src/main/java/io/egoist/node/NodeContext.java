package io.egoist.node;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What every component of a node shares: its configuration and id, the random source, the counters, the time of
 * the event being handled, the effects it produces, connection ids, and the generation of the routing view (bumped
 * by {@link #invalidate} whenever something the view depends on changed). Sans-I/O: the time is handed in, the
 * effects are handed out by the composer ({@link NodeCore}).
 */
public final class NodeContext {
    private final NodeConfig cfg;
    private final NodeId self;
    private final Random random;
    private final NodeCounters counters;
    private long now;
    private List<Effect> out = new ArrayList<>();
    private long nextConnId = 1;
    private long generation;

    public NodeContext(NodeConfig cfg, Random random, NodeCounters counters) {
        this.cfg = cfg;
        this.self = cfg.self();
        this.random = random;
        this.counters = counters;
    }

    /** A context of its own (fresh counters), for driving one component in a test. */
    public NodeContext(NodeConfig cfg, Random random) {
        this(cfg, random, new NodeCounters());
    }

    public NodeConfig cfg() {
        return cfg;
    }

    public NodeId self() {
        return self;
    }

    public Random random() {
        return random;
    }

    public NodeCounters counters() {
        return counters;
    }

    public long now() {
        return now;
    }

    public void emit(Effect e) {
        out.add(e);
    }

    public ConnId newConn() {
        return new ConnId(nextConnId++);
    }

    /** Something the routing view depends on changed. */
    public void invalidate() {
        generation++;
    }

    /** The view generation: equal values mean nothing the view depends on changed in between. */
    public long generation() {
        return generation;
    }

    /** Starts handling an event at {@code nowMillis}. */
    public void begin(long nowMillis) {
        now = nowMillis;
        out = new ArrayList<>();
    }

    /** The effects produced since {@link #begin} (or the last drain). */
    public List<Effect> drain() {
        List<Effect> r = out;
        out = new ArrayList<>();
        return r;
    }

    /** NodeId's natural order (address, then port) without parsing strings on every comparison. */
    public static final Comparator<NodeId> ORDER = (a, b) -> {
        int c = Long.compare(ipKey(a.ip()), ipKey(b.ip()));
        return c != 0 ? c : Integer.compare(a.port(), b.port());
    };

    static long ipKey(String ip) {
        long v = 0, part = 0;
        for (int i = 0; i < ip.length(); i++) {
            char ch = ip.charAt(i);
            if (ch == '.') {
                v = (v << 8) | part;
                part = 0;
            } else part = part * 10 + (ch - '0');
        }
        return (v << 8) | part;
    }

    /** A cost for a log line: one decimal, "none" for NaN. */
    public static String fmt(double v) {
        if (Double.isNaN(v)) return "none";
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A line clipped for a log line. */
    public static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
