package io.egoist.node.tracker;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Reassembler;
import io.egoist.wire.WireCodec;
import io.egoist.wire.WireCodec.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the tracker protocol: REG over a new connection per request, one-line and segmented
 * (OVER/NET) replies, back-off while the tracker is unreachable, REG again every {@code trackerRefreshMs} and
 * after any failed contact (which re-registers us when the tracker restarted and forgot us); our UPT and RMV.
 * A complete REG reply is handed to the caller, which calls {@link #registered} once it has used it.
 */
public final class TrackerClient {
    private static final Logger log = LoggerFactory.getLogger(TrackerClient.class);

    /** How long a REG exchange may take before it is abandoned and retried. */
    public static final long REG_TIMEOUT_MS = 10_000;
    /** How long we keep a tracker UPT/RMV connection open waiting for the tracker to close it (or NACK). */
    public static final long LINGER_MS = 5_000;

    private enum Kind {
        REG,
        UPT,
        RMV
    }

    private static final class Request {
        final Kind kind;
        final String line;
        final Reassembler reassembler = new Reassembler();

        Request(Kind kind, String line) {
            this.kind = kind;
            this.line = line;
        }
    }

    private final NodeContext ctx;
    private final NodeConfig cfg;
    private final NodeId self;
    private final Map<ConnId, Request> conns = new HashMap<>();
    private boolean regInFlight;
    private long backoff;
    /** A tracker contact failed since the last successful REG: the next REG counts as a re-registration. */
    private boolean suspect;

    private boolean everRegistered;
    /** The tracker answered our last refresh with an empty line (v0.2): an early REG would confirm nothing. */
    private boolean emptyRefreshes;

    private long lastRegAt = Long.MIN_VALUE / 2;
    private long registerAt = Long.MAX_VALUE;

    /** At most one early REG (to confirm nodes named in peers' updates) per this interval. */
    public static final long CONFIRM_MIN_INTERVAL_MS = 10_000;
    /** An early REG waits this long, so that one REG serves a burst of sends. */
    public static final long CONFIRM_DELAY_MS = 50;

    public TrackerClient(NodeContext ctx) {
        this.ctx = ctx;
        this.cfg = ctx.cfg();
        this.self = ctx.self();
        this.backoff = cfg.trackerRetryMs();
    }

    public boolean owns(ConnId c) {
        return conns.containsKey(c);
    }

    /** True while a tracker contact failed since the last successful REG. */
    public boolean suspect() {
        return suspect;
    }

    /** Sends REG (unless one is in flight); {@code reason} is for the log. */
    public void register(String reason) {
        if (regInFlight) return;
        regInFlight = true;
        lastRegAt = ctx.now();
        registerAt = Long.MAX_VALUE;
        ctx.emit(new Effect.CancelTimer(NodeTimers.REGISTER));
        open(new Request(Kind.REG, WireCodec.encode(new Message.Register(self))));
        ctx.emit(new Effect.SetTimer(NodeTimers.REG_TIMEOUT, ctx.now() + REG_TIMEOUT_MS));
    }

    /**
     * A message is to go to a node named only in peers' updates, which we cannot check: ask the tracker's node
     * list soon (the refresh REG, early), at most once per {@link #CONFIRM_MIN_INTERVAL_MS}. Not while joining,
     * and not under a tracker that answers a refresh with an empty line (v0.2).
     */
    public void confirmSoon() {
        if (!everRegistered || regInFlight || emptyRefreshes) return;
        long at = Math.max(ctx.now() + CONFIRM_DELAY_MS, lastRegAt + CONFIRM_MIN_INTERVAL_MS);
        if (at < registerAt) scheduleRegister(at - ctx.now());
    }

    /**
     * Tells the tracker our links after a wiring step (a sign of life there); with no links, a REG instead, since
     * a bare UPT cannot name its sender.
     */
    public void report(List<Link> links) {
        if (links.isEmpty()) register("no links to report");
        else sendUpdate(links);
    }

    /** Our links as a tracker UPT. */
    public void sendUpdate(List<Link> links) {
        open(new Request(Kind.UPT, WireCodec.encode(new Message.TrackerUpdate(links))));
    }

    /** Reports {@code dead} to the tracker (RMV). */
    public void sendRemove(NodeId dead) {
        open(new Request(Kind.RMV, WireCodec.encode(new Message.Remove(dead))));
    }

    private void open(Request req) {
        ConnId c = ctx.newConn();
        conns.put(c, req);
        ctx.emit(new Effect.Connect(c, cfg.trackerHost(), cfg.trackerPort()));
    }

    public void onConnected(ConnId c) {
        Request req = conns.get(c);
        if (req == null) return;
        ctx.emit(new Effect.Send(c, req.line));
        if (req.kind != Kind.REG) ctx.emit(new Effect.SetTimer(NodeTimers.linger(c), ctx.now() + LINGER_MS));
    }

    /**
     * A line from the tracker. Returns the REG reply once complete (the caller uses it, then calls {@link
     * #registered}); null otherwise. {@code joining}: we have not joined yet.
     */
    public Message.RegisterReply onLine(ConnId c, String line, boolean joining) {
        Request req = conns.get(c);
        if (req == null) return null;
        if (req.kind != Kind.REG) {
            Decoded d = WireCodec.decode(Context.TRACKER_REPLY, line);
            close(c);
            if (d instanceof Decoded.Ok ok && ok.message() instanceof Message.Nack n) {
                log.warn("event=tracker_nack node={} request={} reason={}", self, req.kind, n.reason());
                if (req.kind == Kind.UPT) {
                    suspect = true;
                    register("tracker rejected our update");
                }
            }
            return null;
        }
        if (line.isEmpty()) {
            // A v0.2 tracker answers a duplicate REG with an empty line: it knows us already.
            close(c);
            regDone();
            if (joining) {
                // Only a v0.2 tracker does this (ours always sends the full reply): it still holds our previous
                // life's registration and forgets a node only at a sweep after an RMV. Report ourselves, so its
                // next sweep drops the stale record and a later REG gets the full reply. Sent after every empty
                // reply, so ours is the last event before the sweep even if a duplicate REG counted as one.
                log.warn(
                        "event=join_pending node={} reason=duplicate_registration action=remove_self retry_ms={}",
                        self,
                        backoff);
                sendRemove(self);
                scheduleRegister(backoff());
            } else {
                log.info("event=register_refresh node={} reply=empty", self);
                emptyRefreshes = true;
                registered();
            }
            return null;
        }
        Reassembler.Result r = req.reassembler.acceptLine(line);
        if (r instanceof Reassembler.NeedMore) return null;
        close(c);
        regDone();
        if (r instanceof Reassembler.Done done) return done.reply();
        String why = ((Reassembler.Failed) r).reason();
        log.warn("event=tracker_bad_reply node={} reason={}", self, why);
        scheduleRegister(backoff());
        return null;
    }

    /** A REG reply was used: the tracker is fine, refresh the registration in {@code trackerRefreshMs}. */
    public void registered() {
        everRegistered = true;
        suspect = false;
        backoff = cfg.trackerRetryMs();
        scheduleRegister(cfg.trackerRefreshMs());
    }

    public void onConnectFailed(ConnId c, String reason) {
        Request req = conns.remove(c);
        if (req == null) return;
        if (req.kind != Kind.REG) ctx.emit(new Effect.CancelTimer(NodeTimers.linger(c)));
        log.warn("event=tracker_unreachable node={} request={} reason={} retry_ms={}", self, req.kind, reason, backoff);
        if (req.kind == Kind.REG) regDone();
        if (everRegistered) suspect = true;
        if (!regInFlight) scheduleRegister(backoff());
    }

    public void onClosed(ConnId c) {
        Request req = conns.remove(c);
        if (req == null) return;
        if (req.kind == Kind.REG) {
            regDone();
            log.warn("event=tracker_closed node={} request=REG", self);
            scheduleRegister(backoff());
        } else {
            ctx.emit(new Effect.CancelTimer(NodeTimers.linger(c)));
        }
    }

    public void onLineTooLong(ConnId c) {
        Request req = conns.get(c);
        if (req == null) return;
        close(c);
        if (req.kind == Kind.REG) {
            regDone();
            scheduleRegister(backoff());
        }
    }

    /** Handles a timer of the tracker client; false if {@code key} is not one. */
    public boolean onTimer(String key, boolean joining) {
        if (key.equals(NodeTimers.REGISTER)) {
            register(suspect ? "tracker was unreachable" : joining ? "retry" : "refresh");
        } else if (key.equals(NodeTimers.REG_TIMEOUT)) {
            for (Map.Entry<ConnId, Request> e : new ArrayList<>(conns.entrySet())) {
                if (e.getValue().kind == Kind.REG) close(e.getKey());
            }
            if (regInFlight) {
                regInFlight = false;
                log.warn("event=tracker_timeout node={} request=REG retry_ms={}", self, backoff);
                if (everRegistered) suspect = true;
                scheduleRegister(backoff());
            }
        } else if (key.startsWith(NodeTimers.LINGER)) {
            ConnId c = NodeTimers.conn(key, NodeTimers.LINGER);
            if (conns.containsKey(c)) close(c);
        } else {
            return false;
        }
        return true;
    }

    private void regDone() {
        regInFlight = false;
        ctx.emit(new Effect.CancelTimer(NodeTimers.REG_TIMEOUT));
    }

    private void close(ConnId c) {
        Request req = conns.remove(c);
        if (req == null) return;
        ctx.emit(new Effect.Close(c));
        if (req.kind != Kind.REG) ctx.emit(new Effect.CancelTimer(NodeTimers.linger(c)));
    }

    private long backoff() {
        long b = backoff;
        backoff = Math.min(backoff * 2, cfg.trackerRetryMaxMs());
        return b;
    }

    private void scheduleRegister(long delay) {
        registerAt = ctx.now() + delay;
        ctx.emit(new Effect.SetTimer(NodeTimers.REGISTER, registerAt));
    }
}
