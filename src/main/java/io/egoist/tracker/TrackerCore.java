package io.egoist.tracker;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.core.LogValues;
import io.egoist.security.ca.MemberId;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker (the seed's {@code egoTracker}) as a sans-I/O state machine: lines from nodes in, replies,
 * closes, probes, timers and persistence effects out. It never reads a clock, opens a socket or starts a
 * thread; {@code now} (epoch ms) comes with every event.
 *
 * <p>Compatible with v0.2: REG gets the overlay (one line or OVER/NET segments) and the connection stays open;
 * a tracker-form UPT replaces the sender's links and the connection is closed without a reply; RMV closes; an
 * empty line closes. Defects fixed: a duplicate REG gets the full reply; every REG/UPT cancels an earlier RMV;
 * removal is decided by probes ({@link Removals}); ids must come from their own address unless configured
 * otherwise; bad input gets {@code NACK@reason} and a close, and leaves the state unchanged.
 *
 * <p>This class dispatches and checks; the overlay and its encoded reply live in {@link Overlay}, the removal
 * flow in {@link Removals}, group commit in {@link AckGate}, the REG rate limit in {@link RegRateLimiter},
 * rejections in {@link Rejections}.
 *
 * <p>Not thread-safe: feed it from one thread.
 */
public final class TrackerCore implements Core {

    private static final Logger log = LoggerFactory.getLogger(TrackerCore.class);

    /** Timer key of the periodic removal sweep. */
    public static final String SWEEP_TIMER = "tracker.sweep";
    /** Timer key of the periodic idle-connection sweep. */
    public static final String IDLE_TIMER = "tracker.idle";

    /** NACK categories of the capacity limits. */
    public static final String NACK_BUSY = "busy";

    public static final String NACK_FULL_NODES = "full-nodes";
    public static final String NACK_FULL_LINKS = "full-links";
    public static final String NACK_TOO_MANY_REGS = "too-many-regs";
    public static final String NACK_REG_RATE = "reg-rate";
    /** NACK categories of the source checks and of ids the protocol cannot serve. */
    public static final String NACK_FOREIGN_ID = "foreign-id";

    public static final String NACK_FOREIGN_RMV = "foreign-rmv";
    public static final String NACK_UNSERVABLE_ID = "unservable-id";

    public static final String CAUSE_EXPIRED = Removals.CAUSE_EXPIRED;
    public static final String CAUSE_DEAD_AFTER_RMV = Removals.CAUSE_DEAD_AFTER_RMV;

    private final TrackerConfig config;
    private final Overlay overlay = new Overlay();
    private final Removals removals;
    private final AckGate acks;
    private final RegRateLimiter regLimiter;
    private final TrackerStats stats = new TrackerStats();
    private final Rejections rejections = new Rejections(stats.nacks);
    /** Registered nodes per IP address: an RMV is taken only from one of these. */
    private final HashMap<String, Integer> nodesPerIp = new HashMap<>();

    private final HashMap<ConnId, Conn> conns = new HashMap<>();
    /** Secure mode: what a member's revocation-list request gets (see {@link TrackerEvent.Revocations}). */
    private TrackerEvent.Revocations revocations = new TrackerEvent.Revocations(null, "this tracker serves no list");

    private static final class Conn {
        final String peer;
        /** The peer's IP address, or null when unknown (a harness that skips Accepted). */
        final String host;

        boolean closing;
        /** When the last line arrived (or the connection was accepted): the idle sweep closes it after idleTimeout. */
        long lastActivity;
        /** REG requests served on this connection. */
        int regs;
        /** In secure mode, the member the peer's certificate names (see {@link Event.Authenticated}); else null. */
        MemberId member;

        Conn(String host, int port, long now) {
            this.host = host;
            this.peer = host == null ? "unknown" : host + ":" + port;
            this.lastActivity = now;
        }
    }

    /** A core whose acknowledgements go out at once (no store behind it: tests, the virtual-time network). */
    public TrackerCore(TrackerConfig config, TrackerSnapshot initialState) {
        this(config, initialState, false);
    }

    /**
     * @param groupCommit hold every acknowledgement until the store reports its change durable
     *                    ({@link TrackerEvent.StoreProgress}); see {@link AckGate}
     */
    public TrackerCore(TrackerConfig config, TrackerSnapshot initialState, boolean groupCommit) {
        this.config = config;
        this.removals = new Removals(overlay, config, stats.removals);
        this.acks = new AckGate(groupCommit);
        TrackerRules rules = config.rules();
        this.regLimiter =
                new RegRateLimiter(rules.regRatePerSecond(), rules.regBurst(), TrackerRules.MAX_TRACKED_ADDRESSES);
        for (TrackerNode n : initialState.nodes()) {
            if (!servable(n.id())) {
                log.warn("event=load-skip node={} reason={}", n.id(), LogValues.q(unservableReason(n.id())));
                continue;
            }
            NodeEntry e = new NodeEntry(n.id(), n.lastSeenMs());
            e.suspect = n.suspect();
            addNode(e);
        }
        // links after all nodes so that ids are shared with the registered ones
        for (TrackerNode n : initialState.nodes()) {
            NodeEntry e = overlay.get(n.id());
            if (e != null) overlay.setLinks(e, servableLinks(n.links()));
        }
        publishGauges();
    }

    // ------------------------------------------------------------------------------------------ Core

    @Override
    public List<Effect> start(long now) {
        log.info(
                "event=tracker-start nodes={} links={} suspects={}",
                overlay.size(),
                overlay.linkCount(),
                overlay.suspectCount());
        return List.of(
                new Effect.SetTimer(SWEEP_TIMER, now + config.removePeriodMs()),
                new Effect.SetTimer(IDLE_TIMER, now + config.idleSweepPeriodMs()));
    }

    @Override
    public List<Effect> handle(long now, Event event) {
        List<Effect> out = handleEvent(now, event);
        publishGauges();
        return out;
    }

    private void publishGauges() {
        stats.set(overlay.size(), overlay.linkCount(), overlay.suspectCount(), conns.size(), acks.heldCount());
    }

    private List<Effect> handleEvent(long now, Event event) {
        List<Effect> out = new ArrayList<>(2);
        if (event instanceof Event.LineReceived e) {
            onLine(now, e.conn(), e.line(), out);
        } else if (event instanceof Event.Accepted e) {
            onAccepted(now, e, out);
        } else if (event instanceof Event.Authenticated e) {
            conn(now, e.conn()).member = e.peer();
        } else if (event instanceof Event.Closed e) {
            conns.remove(e.conn());
        } else if (event instanceof Event.LineTooLong e) {
            Conn c = conn(now, e.conn());
            if (!c.closing) {
                reject(e.conn(), c, "line", "longer than " + Seed.MAX_LENGTH + " bytes", "line-too-long", out);
            }
        } else if (event instanceof Event.ProbeResult e) {
            removals.onProbeResult(now, e, out);
        } else if (event instanceof TrackerEvent.Revocations r) {
            revocations = r;
        } else if (event instanceof TrackerEvent.StoreProgress p) {
            acks.onStoreProgress(p.durable(), p.healthy(), out);
            return out; // released acknowledgements: already filtered when they were made
        } else if (event instanceof Event.TimerFired e) {
            if (SWEEP_TIMER.equals(e.key())) {
                removals.sweep(now, out);
                out.add(new Effect.SetTimer(SWEEP_TIMER, now + config.removePeriodMs()));
            } else if (IDLE_TIMER.equals(e.key())) {
                idleSweep(now, out);
                out.add(new Effect.SetTimer(IDLE_TIMER, now + config.idleSweepPeriodMs()));
            }
        }
        // Connected / ConnectFailed: the tracker opens no connections of its own.
        acks.filter(out);
        afterRemovals(out);
        return out;
    }

    // ----------------------------------------------------------------------------------- queries

    /** The whole overlay (nodes in registration order, with last-seen, suspect flag and links). */
    public TrackerSnapshot snapshot() {
        return overlay.snapshot();
    }

    public int nodeCount() {
        return overlay.size();
    }

    public int linkCount() {
        return overlay.linkCount();
    }

    public int suspectCount() {
        return overlay.suspectCount();
    }

    /** Connections the core currently knows as open. */
    public int connectionCount() {
        return conns.size();
    }

    /**
     * The REG reply for the current overlay: an immutable list that is the same object for every REG until
     * nodes or links change (a runtime may encode it once per change). Read it on the core's thread.
     */
    public List<String> replyLines() {
        return overlay.replyLines();
    }

    /** Acknowledgements (replies, closes) held until the store reports their change durable. */
    public int heldAcks() {
        return acks.heldCount();
    }

    /** Node ids appended to the REG reply's node list since start (a join appends one: O(1) per join). */
    public long nodePiecesEncoded() {
        return overlay.nodePiecesEncoded();
    }

    public TrackerCounters counters() {
        return stats.counters();
    }

    /** The core's figures, readable from any thread (what /healthz and /metrics serve). */
    public TrackerStats stats() {
        return stats;
    }

    public TrackerConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------- lines

    private Conn conn(long now, ConnId id) {
        Conn c = conns.get(id);
        if (c == null) {
            // a line without a preceding Accepted (e.g. a harness that skips it): track it anyway
            c = new Conn(null, 0, now);
            conns.put(id, c);
        }
        return c;
    }

    private void onLine(long now, ConnId id, String line, List<Effect> out) {
        Conn c = conn(now, id);
        if (c.closing) return; // like Twisted's LineOnlyReceiver: no lines after loseConnection
        c.lastActivity = now;
        if (line.isEmpty()) {
            count(stats.messages, "EMPTY");
            close(id, c, out);
            return;
        }
        if (c.member != null && line.equals(io.egoist.wire.CrlLines.REQUEST)) {
            serveRevocations(id, c, out); // secure mode only: a stranger never gets this far
            return;
        }
        Decoded d = WireCodec.decode(WireCodec.Context.TRACKER_INBOUND, line);
        if (d instanceof Decoded.Err err) {
            reject(id, c, err.field(), err.reason(), Rejections.category(err.field(), err.reason()), out);
            return;
        }
        Message m = ((Decoded.Ok) d).message();
        if (m instanceof Message.Register r) {
            onRegister(now, id, c, r.node(), out);
        } else if (m instanceof Message.TrackerUpdate u) {
            onUpdate(now, id, c, u.links(), out);
        } else if (m instanceof Message.Remove r) {
            onRemove(id, c, r.node(), out);
        } else {
            String type =
                    line.contains(Seed.PACK_DELIMITER) ? line.substring(0, line.indexOf(Seed.PACK_DELIMITER)) : line;
            reject(id, c, "type", "not accepted by the tracker: " + clip(type), "unknown-type", out);
        }
    }

    private void serveRevocations(ConnId id, Conn c, List<Effect> out) {
        count(stats.messages, io.egoist.wire.CrlLines.REQUEST);
        if (revocations.replyLine() == null) {
            // the normal answer of a tracker without --crl (every member asks at each refresh): the same NACK as a
            // rejection, but neither a WARN line nor a rejection count, which would flood the log of such a tracker
            out.add(new Effect.Send(id, Rejections.answer("crl", revocations.refusal())));
            close(id, c, out);
            return;
        }
        out.add(new Effect.Send(id, revocations.replyLine()));
        close(id, c, out);
    }

    private void onRegister(long now, ConnId id, Conn c, NodeId node, List<Effect> out) {
        if (c.regs >= config.maxRegsPerConnection()) {
            rejectLimited(
                    now,
                    id,
                    c,
                    "busy",
                    "too many requests on one connection (" + config.maxRegsPerConnection() + ")",
                    NACK_TOO_MANY_REGS,
                    out);
            return;
        }
        if (!servable(node)) {
            reject(id, c, "node", unservableReason(node), NACK_UNSERVABLE_ID, out);
            return;
        }
        if (foreign(c, node)) {
            reject(id, c, "node", foreignReason(c, node), NACK_FOREIGN_ID, out);
            return;
        }
        NodeEntry e = overlay.get(node);
        if (e == null && overlay.size() >= config.maxNodes()) {
            rejectLimited(now, id, c, "full", "too many nodes (" + config.maxNodes() + ")", NACK_FULL_NODES, out);
            return;
        }
        if (e == null && c.host != null && !regLimiter.tryAcquire(c.host, now)) {
            TrackerRules r = config.rules();
            rejectLimited(
                    now,
                    id,
                    c,
                    "busy",
                    "too many new ids from this address (" + r.regBurst() + " at once, then "
                            + (long) Math.ceil(r.regRatePerSecond()) + "/s)",
                    NACK_REG_RATE,
                    out);
            return;
        }
        c.regs++;
        count(stats.messages, Seed.REGISTER);
        if (e == null) {
            e = new NodeEntry(node, now);
            addNode(e);
            log.info("event=join node={} peer={} nodes={}", node, c.peer, overlay.size());
        } else {
            boolean wasSuspect = e.suspect;
            removals.signOfLife(e, now);
            log.info("event=rejoin node={} peer={} nodes={} was_suspect={}", node, c.peer, overlay.size(), wasSuspect);
        }
        out.add(new TrackerEffect.PersistNode(e.view()));
        for (String line : overlay.replyLines()) out.add(new Effect.Send(id, line));
        // v0.2 leaves the connection open after the reply; so do we.
    }

    private void onUpdate(long now, ConnId id, Conn c, List<Link> links, List<Effect> out) {
        if (links.isEmpty()) {
            // a node with no links sends a bare UPT; v0.2 ignores it (it cannot tell who sent it)
            count(stats.messages, Seed.UPDATE);
            log.debug("event=update-empty peer={}", c.peer);
            close(id, c, out);
            return;
        }
        NodeId src = links.get(0).src();
        for (Link l : links) {
            if (!l.src().equals(src)) {
                reject(id, c, "links", "not all from one source (" + src + ", " + l.src() + ")", "mixed-sources", out);
                return;
            }
        }
        if (foreign(c, src)) {
            reject(id, c, "src", foreignReason(c, src), NACK_FOREIGN_ID, out);
            return;
        }
        NodeEntry e = overlay.get(src);
        if (e == null) {
            reject(id, c, "src", "not registered: " + src, "unregistered-source", out);
            return;
        }
        List<Link> kept = servableLinks(links);
        if (kept.size() > e.links.size() && overlay.linkCount() - e.links.size() + kept.size() > config.maxLinks()) {
            rejectLimited(now, id, c, "full", "too many links (" + config.maxLinks() + ")", NACK_FULL_LINKS, out);
            return;
        }
        count(stats.messages, Seed.UPDATE);
        boolean wasSuspect = e.suspect;
        removals.signOfLife(e, now);
        int before = e.links.size();
        overlay.setLinks(e, kept);
        out.add(new TrackerEffect.PersistNode(e.view()));
        if (log.isInfoEnabled()) {
            log.info(
                    "event=update node={} links={} previous_links={}{}{}",
                    src,
                    e.links.size(),
                    before,
                    kept.size() < links.size() ? " ignored_links=" + (links.size() - kept.size()) : "",
                    wasSuspect ? " rmv_cancelled=true" : "");
        }
        close(id, c, out);
    }

    private void onRemove(ConnId id, Conn c, NodeId node, List<Effect> out) {
        // an authenticated member may report any node (the report is still checked by probing)
        if (c.member == null
                && !config.rules().allowForeignIds()
                && c.host != null
                && !nodesPerIp.containsKey(c.host)) {
            reject(
                    id,
                    c,
                    "reporter",
                    "RMV taken only from a registered node's address, not " + c.host,
                    NACK_FOREIGN_RMV,
                    out);
            return;
        }
        count(stats.messages, Seed.REMOVE);
        NodeEntry e = overlay.get(node);
        if (e == null) {
            log.info("event=rmv-unknown node={} peer={}", node, c.peer);
        } else {
            removals.report(e, c.peer, out);
        }
        close(id, c, out);
    }

    // ------------------------------------------------------------------------ ids and addresses

    /** A node whose echo port (port + 1) is no port: the protocol cannot probe or serve it. */
    static boolean servable(NodeId id) {
        return id.echoPort() <= 65535;
    }

    private static String unservableReason(NodeId id) {
        return "port " + id.port() + " leaves no echo port (" + id.echoPort() + ")";
    }

    private static List<Link> servableLinks(List<Link> links) {
        for (Link l : links) {
            if (!servable(l.dst()) || !servable(l.src())) {
                List<Link> kept = new ArrayList<>(links.size());
                for (Link k : links) if (servable(k.dst()) && servable(k.src())) kept.add(k);
                return kept;
            }
        }
        return links;
    }

    /**
     * In secure mode a REG or UPT is taken only for the id in the sender's certificate (whatever its address, and
     * whatever {@code --allow-foreign-ids} says); in open mode only for an id on the sender's IP address.
     */
    private boolean foreign(Conn c, NodeId node) {
        if (c.member != null) return !node.equals(c.member.node());
        return !config.rules().allowForeignIds() && c.host != null && !c.host.equals(node.ip());
    }

    private static String foreignReason(Conn c, NodeId node) {
        if (c.member != null) return "id " + node + " is not the id in the sender's certificate (" + c.member + ")";
        return "id " + node + " is not the sender's address " + c.host;
    }

    private void addNode(NodeEntry e) {
        overlay.add(e);
        nodesPerIp.merge(e.id.ip(), 1, Integer::sum);
    }

    /** Keeps the per-IP count in step with removals made by {@link Removals} in this event. */
    private void afterRemovals(List<Effect> out) {
        for (Effect e : out) {
            if (e instanceof TrackerEffect.DeleteNode d) {
                nodesPerIp.computeIfPresent(d.id().ip(), (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    // ---------------------------------------------------------------------------- connections

    private void onAccepted(long now, Event.Accepted e, List<Effect> out) {
        Conn c = new Conn(e.remoteHost(), e.remotePort(), now);
        // counted before it is added: connections still closing count too (their sockets are still open)
        boolean over = conns.size() >= config.maxConnections();
        conns.put(e.conn(), c);
        if (over) rejectLimited(now, e.conn(), c, "busy", "too many connections", NACK_BUSY, out);
    }

    /**
     * Closes every connection that sent no line for the idle timeout. One timer for all connections (not one
     * per connection): a line only writes its connection's last-activity time, which keeps the per-UPT cost at
     * one field store; the sweep walks the open connections every quarter of the timeout.
     */
    private void idleSweep(long now, List<Effect> out) {
        int closed = 0;
        for (Map.Entry<ConnId, Conn> me : conns.entrySet()) {
            Conn c = me.getValue();
            if (c.closing || now - c.lastActivity < config.idleTimeoutMs()) continue;
            log.debug("event=idle-close peer={} conn={} idle_ms={}", c.peer, me.getKey(), now - c.lastActivity);
            close(me.getKey(), c, out);
            closed++;
        }
        if (closed > 0) {
            stats.addIdleCloses(closed);
            log.info(
                    "event=idle-close closed={} idle_timeout_ms={} open={}",
                    closed,
                    config.idleTimeoutMs(),
                    conns.size());
        }
    }

    // -------------------------------------------------------------------------------- rejection

    private void reject(ConnId id, Conn c, String field, String reason, String category, List<Effect> out) {
        out.add(new Effect.Send(id, rejections.reject(c.peer, field, reason, category)));
        close(id, c, out);
    }

    /** A rejection by a capacity limit: the same NACK and close, with a rate-limited WARN line. */
    private void rejectLimited(
            long now, ConnId id, Conn c, String field, String reason, String category, List<Effect> out) {
        out.add(new Effect.Send(id, rejections.rejectLimited(now, c.peer, field, reason, category)));
        close(id, c, out);
    }

    private static void close(ConnId id, Conn c, List<Effect> out) {
        c.closing = true;
        out.add(new Effect.Close(id));
    }

    /** See {@link Rejections#category}. */
    static String reasonCategory(String field, String reason) {
        return Rejections.category(field, reason);
    }

    private static void count(TrackerStats.Counts m, String key) {
        m.inc(key);
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
