package io.egoist.node.links;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import io.egoist.wire.WireCodec.Context;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our out-links: the chosen neighbors (connected or connecting) and the retiring ones a re-wiring keeps up until
 * their replacements are up (make before break); connect deadlines, queued lines, heartbeats on links whose peer
 * speaks {@code hb}, and failure detection (connect failure or timeout, close, missed heartbeats, TRD). What a
 * failure means for the wiring is the composer's: this class reports it.
 */
public final class OutLinks {
    private static final Logger log = LoggerFactory.getLogger(OutLinks.class);

    /** A neighbor link not up within max(this, 3 x the measured RTT) counts as failed. */
    public static final long MIN_CONNECT_GRACE_MS = 1_000;
    /** At most this many lines wait on an out-link that is not connected yet. */
    public static final int MAX_PENDING_LINES = 10_000;

    /** What a line on an out-link meant. */
    public enum LineKind {
        HEARD,
        TEARDOWN,
        /** A DACK coming back the way its DATA went (the peer heard from too). */
        DATA_ACK,
        /** A link-state update (a neighbor telling us the copy it holds of our own announcement). */
        LINK_STATE,
        IGNORED
    }

    private final NodeContext ctx;
    private final NodeConfig cfg;
    private final LinkedHashMap<NodeId, OutLink> neighbors = new LinkedHashMap<>();
    /** Old out-links kept up until the links replacing them are up (make before break). */
    private final LinkedHashMap<NodeId, OutLink> retiring = new LinkedHashMap<>();

    private final Map<ConnId, OutLink> conns = new HashMap<>();
    private long hbSeq;
    /** Which peers get link-state lines (flood, catch-up): all, or in secure mode those speaking {@code sig}. */
    private Predicate<NodeId> linkStateTo = n -> true;

    public OutLinks(NodeContext ctx) {
        this.ctx = ctx;
        this.cfg = ctx.cfg();
    }

    /** Link-state lines (floods, catch-up) go only to peers {@code p} accepts (secure mode: {@code sig}). */
    public void linkStateTo(Predicate<NodeId> p) {
        this.linkStateTo = p;
    }

    /** Arms the heartbeat timer (when the node speaks hb). */
    public void start() {
        if (cfg.supports(NodeConfig.FEATURE_HB))
            ctx.emit(new Effect.SetTimer(NodeTimers.HEARTBEAT, ctx.now() + cfg.heartbeatPeriodMs()));
    }

    public OutLink byConn(ConnId c) {
        return conns.get(c);
    }

    public Set<NodeId> neighbors() {
        return neighbors.keySet();
    }

    public Collection<OutLink> neighborLinks() {
        return neighbors.values();
    }

    public OutLink neighbor(NodeId n) {
        return neighbors.get(n);
    }

    public boolean isNeighbor(NodeId n) {
        return neighbors.containsKey(n);
    }

    public boolean retiringEmpty() {
        return retiring.isEmpty();
    }

    /** Every connected link, neighbors first, then retiring ones. */
    public List<OutLink> upLinks() {
        List<OutLink> up = new ArrayList<>();
        for (OutLink l : neighbors.values()) if (l.connected) up.add(l);
        for (OutLink l : retiring.values()) if (l.connected) up.add(l);
        return up;
    }

    /** Whether every chosen neighbor link is up. */
    public boolean allConnected() {
        for (OutLink l : neighbors.values()) if (!l.connected) return false;
        return true;
    }

    /** The connected out-link to {@code n} (a neighbor or a retiring one), or null. */
    public OutLink upLink(NodeId n) {
        OutLink l = neighbors.get(n);
        if (l == null) l = retiring.get(n);
        return l != null && l.connected ? l : null;
    }

    /** Opens a link to new neighbor {@code n}; {@code rtt} sets the connect deadline. */
    public void add(NodeId n, double rtt) {
        ConnId c = ctx.newConn();
        OutLink l = new OutLink(n, c);
        neighbors.put(n, l);
        conns.put(c, l);
        ctx.emit(new Effect.Connect(c, n.ip(), n.port()));
        ctx.emit(new Effect.SetTimer(
                NodeTimers.connect(c), ctx.now() + Math.max(MIN_CONNECT_GRACE_MS, (long) (3 * rtt))));
        ctx.invalidate();
    }

    /** Deliberate drop: TRD@ then close. */
    public void drop(NodeId n) {
        OutLink l = neighbors.remove(n);
        if (l == null) return;
        conns.remove(l.conn);
        ctx.emit(new Effect.CancelTimer(NodeTimers.connect(l.conn)));
        if (l.connected) ctx.emit(new Effect.Send(l.conn, WireCodec.encode(new Message.Teardown())));
        ctx.emit(new Effect.Close(l.conn));
        ctx.invalidate();
    }

    /** An old link stays up (routed over, announced) until the links replacing it are up. */
    public void retire(NodeId n) {
        OutLink l = neighbors.remove(n);
        if (l != null) retiring.put(n, l);
    }

    /** Takes a retiring link to {@code n} back as a neighbor; false if there is none. */
    public boolean restore(NodeId n) {
        OutLink back = retiring.remove(n);
        if (back == null) return false;
        neighbors.put(n, back);
        return true;
    }

    /** Takes the oldest retiring link back as a neighbor (a failed swap is undone); returns its peer. */
    public NodeId restoreOldestRetiring() {
        NodeId back = retiring.keySet().iterator().next();
        neighbors.put(back, retiring.remove(back));
        return back;
    }

    /** The replacements are up: tear the retiring links down. */
    public void finishRetiring() {
        for (NodeId n : new ArrayList<>(retiring.keySet())) {
            OutLink l = retiring.remove(n);
            conns.remove(l.conn);
            if (l.connected) ctx.emit(new Effect.Send(l.conn, WireCodec.encode(new Message.Teardown())));
            ctx.emit(new Effect.Close(l.conn));
        }
        ctx.invalidate();
    }

    /** The retiring link to {@code n}, or null. */
    public OutLink retiringLink(NodeId n) {
        return retiring.get(n);
    }

    /** A retiring link failed: close and forget it. */
    public void removeRetiring(OutLink l) {
        retiring.remove(l.peer);
        conns.remove(l.conn);
        ctx.emit(new Effect.Close(l.conn));
    }

    /** A neighbor link failed: close and forget it; returns it (with its queued lines). */
    public OutLink removeFailed(NodeId n) {
        OutLink l = neighbors.remove(n);
        if (l == null) return null;
        conns.remove(l.conn);
        ctx.emit(new Effect.Close(l.conn));
        ctx.emit(new Effect.CancelTimer(NodeTimers.connect(l.conn)));
        return l;
    }

    /** The link is up: cancel its deadline, send {@code first} (catch-up), then the queued lines. */
    public void connected(OutLink l, List<String> first) {
        ctx.emit(new Effect.CancelTimer(NodeTimers.connect(l.conn)));
        l.connected = true;
        l.lastHeard = ctx.now();
        if (linkStateTo.test(l.peer)) for (String line : first) ctx.emit(new Effect.Send(l.conn, line));
        while (!l.pending.isEmpty()) ctx.emit(new Effect.Send(l.conn, l.pending.poll()));
        ctx.invalidate();
    }

    /** Sends {@code line} on {@code l}, or queues it (up to {@link #MAX_PENDING_LINES}) while it connects. */
    public void send(OutLink l, String line) {
        if (l.connected) {
            ctx.emit(new Effect.Send(l.conn, line));
        } else if (l.pending.size() < MAX_PENDING_LINES) {
            l.pending.add(line);
        }
    }

    /**
     * Sends link-state {@code line} on every out-link (neighbors, then retiring) except the one to {@code except}
     * (and those {@link #linkStateTo} excludes).
     */
    public int flood(String line, NodeId except) {
        int sent = 0;
        for (OutLink l : neighbors.values()) {
            if (!l.peer.equals(except) && linkStateTo.test(l.peer)) {
                send(l, line);
                sent++;
            }
        }
        for (OutLink l : retiring.values()) {
            if (!l.peer.equals(except) && linkStateTo.test(l.peer)) {
                send(l, line);
                sent++;
            }
        }
        return sent;
    }

    /** We heard from {@code n} (it proved to speak our extensions): its heartbeat clock restarts. */
    public void heard(NodeId n) {
        OutLink l = neighbors.get(n);
        if (l != null) l.lastHeard = ctx.now();
    }

    /**
     * A line on out-link {@code l}: heartbeats refresh it, TRD and DACK (back the way its DATA went) are reported,
     * anything else is ignored.
     */
    public LineKind onLine(OutLink l, String line) {
        Decoded d = WireCodec.decode(Context.PEER_LINK, line);
        if (d instanceof Decoded.Ok ok) {
            Message m = ok.message();
            if (m instanceof Message.Heartbeat) {
                l.lastHeard = ctx.now();
                return LineKind.HEARD;
            }
            if (m instanceof Message.DataAck) {
                l.lastHeard = ctx.now();
                return LineKind.DATA_ACK;
            }
            if (m instanceof Message.Nack n) {
                log.warn("event=nack_received node={} neighbor={} reason={}", ctx.self(), l.peer, n.reason());
                return LineKind.IGNORED;
            }
            if (m instanceof Message.PeerUpdate || m instanceof Message.SignedUpdate) return LineKind.LINK_STATE;
            if (m instanceof Message.Teardown) {
                log.info("event=neighbor_teardown node={} neighbor={}", ctx.self(), l.peer);
                return LineKind.TEARDOWN;
            }
        }
        log.debug("event=ignored_line node={} neighbor={} line={}", ctx.self(), l.peer, NodeContext.clip(line));
        return LineKind.IGNORED;
    }

    /**
     * The heartbeat timer: a heartbeat on every connected link whose peer speaks {@code hb} ({@code speaksHb});
     * returns the neighbors not heard from within heartbeatMisses periods (lost).
     */
    public List<NodeId> onHeartbeatTimer(Predicate<NodeId> speaksHb) {
        ctx.emit(new Effect.SetTimer(NodeTimers.HEARTBEAT, ctx.now() + cfg.heartbeatPeriodMs()));
        long limit = cfg.heartbeatMisses() * cfg.heartbeatPeriodMs();
        List<NodeId> lost = new ArrayList<>();
        for (OutLink l : neighbors.values()) {
            if (!l.connected) continue;
            if (!speaksHb.test(l.peer)) continue;
            if (ctx.now() - l.lastHeard > limit) {
                lost.add(l.peer);
            } else {
                ctx.emit(new Effect.Send(l.conn, WireCodec.encode(new Message.Heartbeat(++hbSeq))));
            }
        }
        return lost;
    }

    /** The connect deadline of {@code key} passed: the link's peer if it is still not up, else null. */
    public NodeId onConnectTimer(String key) {
        OutLink l = conns.get(NodeTimers.conn(key, NodeTimers.CONNECT));
        return l != null && !l.connected ? l.peer : null;
    }
}
