package io.egoist.node.runtime;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sans-I/O filter in front of a core that listens (the node's main port): caps the accepted connections and
 * closes idle ones that are not a peer's link, so strangers cannot hold the port. Events in, effects out, like
 * the core it wraps; everything else passes through unchanged.
 *
 * <ul>
 *   <li>An accepted connection beyond {@link DataPortLimits#maxConnections()} in all or
 *       {@link DataPortLimits#maxPerAddress()} from its address gets {@code NACK@busy} and is closed; the inner
 *       core never hears of it.</li>
 *   <li>Idle timeout: a connection that has not sent a well-formed peer-link line yet, or one that carries
 *       heartbeats (an egoist neighbor's link, which heartbeats keep busy), is closed after
 *       {@link DataPortLimits#idleTimeoutMs()} without a line. A link that has carried well-formed v0.2 traffic
 *       (UPT) but no heartbeat is exempt: a v0.2 neighbor sends only when it re-wires, and closing its link would
 *       make it report us dead. Such links still count against the caps.</li>
 * </ul>
 *
 * One timer for all connections (a quarter of the idle timeout), so a line costs one field store.
 */
public final class DataPortGuard<C extends Core> implements Core {
    private static final Logger log = LoggerFactory.getLogger(DataPortGuard.class);

    /** Timer key of the idle sweep (not a key any core uses). */
    public static final String SWEEP_TIMER = "dataport.idle-sweep";

    private final C inner;
    private final DataPortLimits limits;
    private final String name;

    private static final class Conn {
        final String host;
        long lastLine;
        boolean peerLine;
        boolean heartbeat;
        boolean closing;

        Conn(String host, long now) {
            this.host = host;
            this.lastLine = now;
        }
    }

    private final Map<ConnId, Conn> accepted = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();
    /** Refused connections: their lines and their Closed never reach the inner core. */
    private final Set<ConnId> refused = new HashSet<>();

    private long rejectedBusy;
    private long idleClosed;
    private long lastRejectLog = Long.MIN_VALUE;

    public DataPortGuard(C inner, DataPortLimits limits, String name) {
        this.inner = inner;
        this.limits = limits;
        this.name = name;
    }

    public C inner() {
        return inner;
    }

    /** Accepted connections counted against the caps now. */
    public int openConnections() {
        return accepted.size();
    }

    public long rejectedBusy() {
        return rejectedBusy;
    }

    public long idleClosed() {
        return idleClosed;
    }

    private long sweepPeriod() {
        return Math.max(1, limits.idleTimeoutMs / 4);
    }

    @Override
    public List<Effect> start(long now) {
        List<Effect> out = new ArrayList<>(inner.start(now));
        out.add(new Effect.SetTimer(SWEEP_TIMER, now + sweepPeriod()));
        return out;
    }

    @Override
    public List<Effect> handle(long now, Event event) {
        if (event instanceof Event.Accepted a) return onAccepted(now, a);
        if (event instanceof Event.TimerFired t && t.key().equals(SWEEP_TIMER)) return sweep(now);
        if (event instanceof Event.LineReceived l) {
            if (refused.contains(l.conn())) return List.of();
            Conn c = accepted.get(l.conn());
            if (c != null) observe(c, l.line(), now);
        } else if (event instanceof Event.LineTooLong l) {
            if (refused.contains(l.conn())) return List.of();
        } else if (event instanceof Event.Closed cl) {
            if (refused.remove(cl.conn())) return List.of();
            Conn c = accepted.remove(cl.conn());
            if (c != null) release(c.host);
        }
        return watch(inner.handle(now, event));
    }

    private List<Effect> onAccepted(long now, Event.Accepted a) {
        int fromHost = perAddress.getOrDefault(a.remoteHost(), 0);
        String reason = accepted.size() >= limits.maxConnections
                ? "too_many_connections"
                : fromHost >= limits.maxPerAddress ? "too_many_connections_from_address" : null;
        if (reason != null) {
            rejectedBusy++;
            refused.add(a.conn());
            if (now - lastRejectLog >= 1000) { // one line per second at most, with the running count
                lastRejectLog = now;
                log.info(
                        "event=data_port_rejected server={} peer={}:{} reason={} rejected_total={}",
                        name,
                        a.remoteHost(),
                        a.remotePort(),
                        reason,
                        rejectedBusy);
            }
            return List.of(
                    new Effect.Send(a.conn(), Seed.NACK + Seed.PACK_DELIMITER + "busy"), new Effect.Close(a.conn()));
        }
        accepted.put(a.conn(), new Conn(a.remoteHost(), now));
        perAddress.merge(a.remoteHost(), 1, Integer::sum);
        return watch(inner.handle(now, a));
    }

    /** Classifies the connection by its first well-formed lines (decoded only until it is known). */
    private static void observe(Conn c, String line, long now) {
        c.lastLine = now;
        if (c.heartbeat) return;
        if (line.startsWith("HB" + Seed.PACK_DELIMITER)) {
            c.heartbeat = isWellFormedPeerLine(line);
            if (c.heartbeat) c.peerLine = true;
        } else if (!c.peerLine) {
            c.peerLine = isWellFormedPeerLine(line);
        }
    }

    private static boolean isWellFormedPeerLine(String line) {
        Decoded d = WireCodec.decode(WireCodec.Context.PEER_LINK, line);
        return d instanceof Decoded.Ok ok && !(ok.message() instanceof Message.Nack);
    }

    private List<Effect> sweep(long now) {
        List<Effect> out = new ArrayList<>();
        int closed = 0;
        for (Map.Entry<ConnId, Conn> e : accepted.entrySet()) {
            Conn c = e.getValue();
            boolean exempt = c.peerLine && !c.heartbeat; // a quiet v0.2 link
            if (c.closing || exempt || now - c.lastLine < limits.idleTimeoutMs) continue;
            c.closing = true;
            out.add(new Effect.Close(e.getKey()));
            closed++;
            log.debug(
                    "event=data_port_idle_close server={} peer={} conn={} idle_ms={}",
                    name,
                    c.host,
                    e.getKey(),
                    now - c.lastLine);
        }
        if (closed > 0) {
            idleClosed += closed;
            log.info(
                    "event=data_port_idle_close server={} closed={} idle_timeout_ms={} open={}",
                    name,
                    closed,
                    limits.idleTimeoutMs,
                    accepted.size());
        }
        out.add(new Effect.SetTimer(SWEEP_TIMER, now + sweepPeriod()));
        return out;
    }

    /** The inner core's effects, noting its closes of accepted connections (so the sweep does not repeat them). */
    private List<Effect> watch(List<Effect> effects) {
        for (Effect e : effects) {
            if (e instanceof Effect.Close c) {
                Conn conn = accepted.get(c.conn());
                if (conn != null) conn.closing = true;
            }
        }
        return effects;
    }

    private void release(String host) {
        perAddress.computeIfPresent(host, (k, n) -> n <= 1 ? null : n - 1);
    }
}
