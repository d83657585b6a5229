package io.egoist.node.data;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeEffect;
import io.egoist.node.NodeEvent;
import io.egoist.node.NodeTimers;
import io.egoist.node.routing.RouteMode;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.egoist.wire.WireCodec.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: DATA hop by hop along the data-plane shortest paths (over nodes that speak the data extension
 * only), DACK along the data-plane route back to the source or, where a node has none (a mixed overlay), back the
 * way its DATA came ({@link ReversePaths}), so that an acknowledgement never needs a route of its own; duplicate
 * suppression, TTL, the sender's
 * acknowledgement deadline, and lines held while no route exists ({@link DataHold}), retried whenever the view
 * changed. Where a line goes is asked of a {@link Network}; whether a DACK may go back on a connection, of {@link
 * BackLinks}.
 */
public final class DataPlane {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

    /** At most this many DATA/DACK lines wait for a route. */
    public static final int MAX_HELD_LINES = 10_000;
    /**
     * The longest DATA/DACK line we send: what a receiver accepts. A longer one would make the next hop close the
     * link (a healthy neighbor lost over one message), so the sender fails the request at once instead and a
     * relay drops the message (reason {@code too_long}).
     */
    public static final int MAX_LINE = Seed.MAX_LENGTH;
    /** Remembered DATA/DACK ids for duplicate suppression. */
    public static final int MAX_SEEN_MESSAGES = 100_000;
    /** Relayed DATA whose way back (for the DACK) is remembered; each for 2 x the data timeout. */
    public static final int MAX_REVERSE_ENTRIES = 65_536;

    /** What the data plane knows of a destination. */
    public enum Standing {
        /** Not a node we know. */
        UNKNOWN,
        /** Known to be dead by our probes. */
        DEAD,
        /** Known not to speak the data extension (a v0.2 node). */
        NO_DATA,
        /** Alive, and speaking data or not known yet. */
        OK
    }

    /** Routes and neighbors, as the data plane sees them. */
    public interface Network {
        /** Whether there is a next hop towards {@code dst} right now. */
        boolean hasRoute(NodeId dst);

        /** Sends {@code line} to the next hop towards {@code dst}; false (nothing sent) when there is none. */
        boolean sendTowards(NodeId dst, String line);

        Standing standing(NodeId dst);

        /** Whether this node, as the source, has a route to {@code dst} in {@code mode} right now. */
        default boolean hasRoute(NodeId dst, RouteMode mode) {
            return hasRoute(dst);
        }

        /**
         * Sends {@code line}, which this node originates, towards {@code dst} along its route in {@code mode}; false
         * (nothing sent) when there is none. Relays always use {@link #sendTowards}.
         */
        default boolean sendFromSource(NodeId dst, String line, RouteMode mode) {
            return sendTowards(dst, line);
        }

        /**
         * Whether {@code dst} is reachable over the overlay but only through nodes that do not speak the data
         * extension (v0.2 nodes), with every one of our own links settled: then no DATA can reach it until the
         * overlay changes, and a send fails at once instead of waiting for a route.
         */
        default boolean onlyThroughLegacy(NodeId dst) {
            return false;
        }
    }

    /** The connections a DACK may go back on. */
    @FunctionalInterface
    public interface BackLinks {
        /**
         * Whether a DACK may be written on {@code conn}, on which a DATA arrived from {@code prev}: the connection
         * is still open and {@code prev} accepts DACKs on its out-link (it announced the feature {@code back}).
         */
        boolean canSendBack(ConnId conn, NodeId prev);
    }

    private record Pending(String requestId, long sentAt, NodeId dst) {}

    private final NodeContext ctx;
    private final NodeConfig cfg;
    private final NodeId self;
    private final boolean enabled;
    private final Network net;
    private final DataSeal seal;
    private final BackLinks back;
    /** Named in peers' updates but not confirmed yet (not probed): a send to one may wait for its confirmation. */
    private final java.util.function.Predicate<NodeId> unconfirmed;

    private final ReversePaths reverse;
    private final Map<String, Pending> pending = new HashMap<>();
    /** DATA/DACK lines waiting for a route; retried whenever the view changed. */
    private final DataHold hold = new DataHold(MAX_HELD_LINES);
    /** The held lines were last tried against this view generation. */
    private long holdTriedGen = -1;

    private final LinkedHashMap<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
            return size() > MAX_SEEN_MESSAGES;
        }
    };

    /** A data plane whose DACKs always take a route of their own (no way back is known). */
    public DataPlane(NodeContext ctx, Network net) {
        this(ctx, net, DataSeal.OPEN, (c, prev) -> false, id -> false);
    }

    /** {@code seal}: end-to-end sealing of payloads and acknowledgements (secure mode), or {@link DataSeal#OPEN}. */
    public DataPlane(NodeContext ctx, Network net, DataSeal seal) {
        this(ctx, net, seal, (c, prev) -> false, id -> false);
    }

    public DataPlane(NodeContext ctx, Network net, BackLinks back) {
        this(ctx, net, DataSeal.OPEN, back, id -> false);
    }

    public DataPlane(NodeContext ctx, Network net, BackLinks back, java.util.function.Predicate<NodeId> unconfirmed) {
        this(ctx, net, DataSeal.OPEN, back, unconfirmed);
    }

    /**
     * {@code back}: the connections a DACK may go back on; {@code unconfirmed}: nodes named in peers' updates but
     * not confirmed yet.
     */
    public DataPlane(
            NodeContext ctx,
            Network net,
            DataSeal seal,
            BackLinks back,
            java.util.function.Predicate<NodeId> unconfirmed) {
        this.ctx = ctx;
        this.seal = seal;
        this.cfg = ctx.cfg();
        this.self = ctx.self();
        this.enabled = cfg.supports(NodeConfig.FEATURE_DATA);
        this.net = net;
        this.back = back;
        this.unconfirmed = unconfirmed;
        this.reverse = new ReversePaths(MAX_REVERSE_ENTRIES, 2 * cfg.dataTimeoutMs());
    }

    /** A local request to send a payload. */
    public void onSend(NodeEvent.SendData s) {
        if (!enabled) {
            ctx.emit(new NodeEffect.DataFailed(s.requestId(), "data plane disabled (features without 'data')"));
            return;
        }
        long now = ctx.now();
        if (s.to().equals(self)) {
            ctx.emit(new NodeEffect.Deliver(self, s.payload(), List.of(self)));
            ctx.emit(new NodeEffect.DataAcked(s.requestId(), List.of(self), now, now));
            return;
        }
        RouteMode mode = s.mode() == null ? RouteMode.OVERLAY : s.mode();
        boolean route = net.hasRoute(s.to(), mode);
        if (!route && net.standing(s.to()) == Standing.NO_DATA) {
            ctx.emit(new NodeEffect.DataFailed(
                    s.requestId(),
                    s.to() + " does not speak the data extension (a v0.2 node): no message can reach it"));
            return;
        }
        if (!route && net.onlyThroughLegacy(s.to())) {
            ctx.emit(new NodeEffect.DataFailed(
                    s.requestId(),
                    "no data-capable path to " + s.to()
                            + ": every overlay path to it goes through nodes without the data extension (v0.2)"));
            return;
        }
        if (!route && !holdable(s.to(), true)) {
            ctx.emit(new NodeEffect.DataFailed(s.requestId(), "no route to " + s.to()));
            return;
        }
        String msgId = Long.toHexString(ctx.random().nextLong() & Long.MAX_VALUE) + Long.toHexString(now);
        byte[] body = seal.seal(s.to(), msgId, s.payload());
        if (body == null) {
            ctx.emit(new NodeEffect.DataFailed(
                    s.requestId(), "no verified key for " + s.to() + " yet (its signed announcement has not arrived)"));
            return;
        }
        Message.Data d = new Message.Data(msgId, cfg.dataTtl(), self, s.to(), List.of(self), body);
        String line = WireCodec.encode(d);
        // room for the path to grow by one id per hop on the way (TTL hops at most)
        if (line.length() + (long) cfg.dataTtl() * 22 > MAX_LINE) {
            ctx.emit(new NodeEffect.DataFailed(
                    s.requestId(),
                    "payload too large: " + s.payload().length + " bytes make a " + line.length()
                            + "-byte line; lines may not exceed " + MAX_LINE + " bytes on the way"));
            return;
        }
        seen.put("d/" + self + "/" + msgId + "/" + cfg.dataTtl(), Boolean.TRUE);
        pending.put(msgId, new Pending(s.requestId(), now, s.to()));
        ctx.emit(new Effect.SetTimer(NodeTimers.data(msgId), now + cfg.dataTimeoutMs()));
        if (route) net.sendFromSource(s.to(), line, mode);
        else hold(line, s.to(), msgId, "no_route", s.requestId());
    }

    /*
     * Duplicate suppression: a copy of a message reaches a node with the same TTL; a message coming back to a
     * node after a routing change (a transient loop) has a lower TTL and is forwarded again along the now
     * updated routes. TTL bounds loops; the destination delivers and acknowledges only once.
     */
    public void onData(Message.Data d) {
        onData(d, null);
    }

    /** A DATA that arrived on connection {@code from} (null: not from a peer's link). */
    public void onData(Message.Data d, ConnId from) {
        byte[] payload = d.payload();
        if (d.dst().equals(self) && seal.secure()) {
            // before the duplicate check: a forged copy must not make us ignore the genuine message
            payload = seal.open(d.src(), d.msgId(), d.payload());
            if (payload == null) {
                ctx.counters().dataUnauthentic++;
                log.info(
                        "event=data_refused node={} msg={} claimed_src={} reason=not_sealed_by_source",
                        self,
                        d.msgId(),
                        d.src());
                drop("unauthentic", d.msgId(), d.dst());
                return;
            }
        }
        if (seen.put("d/" + d.src() + "/" + d.msgId() + "/" + d.ttl(), Boolean.TRUE) != null) {
            drop("duplicate", d.msgId(), d.dst());
            return;
        }
        List<NodeId> path = new ArrayList<>(d.path());
        path.add(self);
        if (d.dst().equals(self)) {
            if (seen.put("delivered/" + d.src() + "/" + d.msgId(), Boolean.TRUE) != null) {
                drop("duplicate", d.msgId(), d.dst());
                return;
            }
            ctx.emit(new NodeEffect.Deliver(d.src(), payload, path));
            Message.DataAck ack = new Message.DataAck(
                    d.msgId(), cfg.dataTtl(), self, d.src(), path, seal.ackProof(d.src(), d.msgId()));
            String line = WireCodec.encode(ack);
            // our own data route back when we have one; without one (a mixed overlay: the only paths back may run
            // through v0.2 nodes) the way the DATA came
            if (net.hasRoute(d.src()) || !sendBack(line, from, previousHop(d)))
                sendOrHold(line, d.src(), d.msgId(), "no_route_for_ack");
            return;
        }
        if (d.ttl() == 0) {
            drop("ttl", d.msgId(), d.dst());
            return;
        }
        if (from != null) reverse.remember(d.src(), d.msgId(), from, previousHop(d), ctx.now());
        ctx.counters().dataForwarded++;
        sendOrHold(
                WireCodec.encode(new Message.Data(d.msgId(), d.ttl() - 1, d.src(), d.dst(), path, d.payload())),
                d.dst(),
                d.msgId(),
                "no_route");
    }

    public void onDataAck(Message.DataAck a) {
        onDataAck(a, null);
    }

    /** A DACK that arrived on connection {@code from} (null: unknown). */
    public void onDataAck(Message.DataAck a, ConnId from) {
        if (a.dst().equals(self) && seal.secure()) {
            // before the duplicate check: a forged acknowledgement must not hide the genuine one
            Pending p = pending.get(a.msgId());
            if (p == null) return; // late (after the timeout) or not ours
            if (!a.src().equals(p.dst()) || a.auth() == null || !seal.ackValid(a.src(), a.msgId(), a.auth())) {
                ctx.counters().acksUnauthentic++;
                log.info(
                        "event=ack_refused node={} msg={} claimed_src={} reason=no_valid_proof",
                        self,
                        a.msgId(),
                        a.src());
                drop("unauthentic_ack", a.msgId(), a.dst());
                return;
            }
        }
        if (seen.put("a/" + a.src() + "/" + a.msgId() + "/" + a.ttl(), Boolean.TRUE) != null) {
            drop("duplicate", a.msgId(), a.dst());
            return;
        }
        if (a.dst().equals(self)) {
            Pending p = pending.remove(a.msgId());
            if (p == null) return; // late (after the timeout) or not ours
            ctx.emit(new Effect.CancelTimer(NodeTimers.data(a.msgId())));
            ctx.emit(new NodeEffect.DataAcked(p.requestId(), a.forwardPath(), p.sentAt(), ctx.now()));
            return;
        }
        if (a.ttl() == 0) {
            drop("ttl", a.msgId(), a.dst());
            return;
        }
        ctx.counters().dataForwarded++;
        String line = WireCodec.encode(
                new Message.DataAck(a.msgId(), a.ttl() - 1, a.src(), a.dst(), a.forwardPath(), a.auth()));
        ReversePaths.Back b = reverse.take(a.dst(), a.msgId(), ctx.now());
        if (b != null && !net.hasRoute(a.dst()) && sendBack(line, b.conn(), b.prev())) return;
        sendOrHold(line, a.dst(), a.msgId(), "no_route");
    }

    /** The node a DATA came from: the last id of its path (the sender appends itself before it forwards). */
    private static NodeId previousHop(Message.Data d) {
        return d.path().isEmpty() ? null : d.path().get(d.path().size() - 1);
    }

    /** Writes a DACK back on the connection its DATA came in on, if that is still possible; false otherwise. */
    private boolean sendBack(String line, ConnId conn, NodeId prev) {
        if (conn == null || prev == null || line.length() > MAX_LINE || !back.canSendBack(conn, prev)) return false;
        ctx.counters().acksSentBack++;
        ctx.emit(new Effect.Send(conn, line));
        return true;
    }

    /** Relayed DATA whose way back is remembered now. */
    public int reverseEntries() {
        return reverse.size();
    }

    /** Ways back forgotten because the table was full. */
    public long reverseEvicted() {
        return reverse.evicted();
    }

    /** DATA/DACK lines that were waiting on a lost link go out again along the current routes. */
    public void reroute(Iterable<String> lines) {
        for (String line : lines) {
            if (!line.startsWith(WireCodec.DATA + "@") && !line.startsWith(WireCodec.DATA_ACK + "@")) continue;
            Decoded d = WireCodec.decode(Context.PEER_LINK, line);
            if (!(d instanceof Decoded.Ok ok)) continue;
            Message m = ok.message();
            NodeId dst = m instanceof Message.Data data ? data.dst() : ((Message.DataAck) m).dst();
            String msgId = m instanceof Message.Data data ? data.msgId() : ((Message.DataAck) m).msgId();
            sendOrHold(line, dst, msgId, "link_lost");
        }
    }

    /** Handles a data-plane timer; false if {@code key} is not one. */
    public boolean onTimer(String key) {
        if (key.startsWith(NodeTimers.DATA)) {
            Pending p = pending.remove(key.substring(NodeTimers.DATA.length()));
            if (p != null)
                ctx.emit(new NodeEffect.DataFailed(
                        p.requestId(), "no acknowledgement within " + cfg.dataTimeoutMs() + " ms"));
        } else if (key.equals(NodeTimers.HOLD)) {
            expireHeld();
        } else {
            return false;
        }
        return true;
    }

    /** After every event: if the view changed since the held lines were last tried, send those with a route. */
    public void afterEvent() {
        if (hold.isEmpty() || holdTriedGen == ctx.generation()) return;
        holdTriedGen = ctx.generation();
        for (DataHold.Held h : hold.all()) {
            if (!net.hasRoute(h.dst())) continue;
            hold.remove(h);
            ctx.counters().heldSent++;
            net.sendTowards(h.dst(), h.line());
        }
        if (hold.isEmpty()) ctx.emit(new Effect.CancelTimer(NodeTimers.HOLD));
        else ctx.emit(new Effect.SetTimer(NodeTimers.HOLD, hold.earliestDeadline()));
    }

    /**
     * Sends a DATA/DACK line towards {@code dst} over the current routes; with no route right now, holds it until
     * one appears (at most dataHoldMs) unless {@code dst} is known to be dead or not to speak {@code data}.
     */
    private void sendOrHold(String line, NodeId dst, String msgId, String dropReason) {
        if (line.length() > MAX_LINE) {
            drop("too_long", msgId, dst); // the next hop would close the link over it
            return;
        }
        if (net.sendTowards(dst, line)) return;
        if (!holdable(dst, false) || !hold(line, dst, msgId, dropReason, null)) drop(dropReason, msgId, dst);
    }

    /**
     * Whether a line for {@code dst} may wait for a route: holding is on, and {@code dst} is not known to be dead
     * or a v0.2 node. At the source ({@code mustKnow}) the destination must also be a node we know.
     */
    private boolean holdable(NodeId dst, boolean mustKnow) {
        if (cfg.dataHoldMs() <= 0 || dst.equals(self)) return false;
        Standing s = net.standing(dst);
        if (s == Standing.UNKNOWN) return !mustKnow || unconfirmed.test(dst);
        return s == Standing.OK;
    }

    private boolean hold(String line, NodeId dst, String msgId, String dropReason, String requestId) {
        if (!hold.add(line, dst, ctx.now() + cfg.dataHoldMs(), msgId, dropReason, requestId)) return false;
        ctx.counters().held++;
        holdTriedGen = ctx.generation(); // tried against this view just now
        ctx.emit(new Effect.SetTimer(NodeTimers.HOLD, hold.earliestDeadline()));
        log.debug(
                "event=data_held node={} msg={} dst={} reason={} hold_ms={}",
                self,
                msgId,
                dst,
                dropReason,
                cfg.dataHoldMs());
        return true;
    }

    /** Held lines whose time is up: dropped (at the source: the request fails with no route). */
    private void expireHeld() {
        for (DataHold.Held h : hold.expire(ctx.now())) {
            if (h.requestId() != null) {
                if (pending.remove(h.msgId()) != null) {
                    ctx.emit(new Effect.CancelTimer(NodeTimers.data(h.msgId())));
                    ctx.emit(new NodeEffect.DataFailed(
                            h.requestId(), "no route to " + h.dst() + " within " + cfg.dataHoldMs() + " ms"));
                }
            } else {
                drop(h.dropReason(), h.msgId(), h.dst());
            }
        }
        if (!hold.isEmpty()) ctx.emit(new Effect.SetTimer(NodeTimers.HOLD, hold.earliestDeadline()));
    }

    private void drop(String reason, String msgId, NodeId dst) {
        ctx.counters().dataDropped++;
        ctx.counters().drops.merge(reason, 1L, Long::sum);
        log.debug("event=data_dropped node={} msg={} dst={} reason={}", self, msgId, dst, reason);
    }
}
