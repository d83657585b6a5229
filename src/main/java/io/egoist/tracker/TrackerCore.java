package io.egoist.tracker;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * RMV only makes the node a suspect, which the tracker probes on its echo port at once and again at the next
 * sweep, removing it only if no probe was answered; nodes silent longer than {@code expireAfter} are removed.
 * Bad input gets {@code NACK@reason} and a close, and leaves the state unchanged.
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

    public static final String CAUSE_EXPIRED = "expired";
    public static final String CAUSE_DEAD_AFTER_RMV = "dead-after-rmv";

    private final TrackerConfig config;

    /** Registered nodes in registration order. */
    private final LinkedHashMap<NodeId, Entry> nodes = new LinkedHashMap<>();
    /** dst -> the nodes that have a link to dst (dst need not be registered). */
    private final HashMap<NodeId, Set<NodeId>> inbound = new HashMap<>();

    private int linkCount;
    /** Total length of the encoded node ids ({@code @ip:port}) and links ({@code @src@dst@cost|}). */
    private int nodeChars;

    private int linkChars;

    private final HashMap<ConnId, Conn> conns = new HashMap<>();

    /** The REG reply lines for the current overlay; null when nodes or links changed since. */
    private List<String> replyCache;
    /** The OVER lines (nodes only) and NET lines (links only) of a segmented reply, kept apart. */
    private List<String> overCache;

    private List<String> netCache;

    private final Map<String, Long> messageCounts = new TreeMap<>();
    private final Map<String, Long> nackCounts = new TreeMap<>();
    private final Map<String, Long> removalCounts = new TreeMap<>();
    private long idleCloses;
    /** Per capacity category: when its last WARN line was written and how many rejections it has not reported. */
    private final Map<String, long[]> warnLimiter = new HashMap<>();

    private static final class Entry {
        final NodeId id;
        long lastSeen;
        boolean suspect;
        List<Link> links = List.of();
        /** {@code @ip:port}, and each link as {@code @src@dst@cost|}: the pieces of a REG reply. */
        final String idPiece;

        String[] linkPieces = NO_PIECES;
        /** Probes sent to this suspect whose result has not come back. */
        int probesInFlight;
        /** A sweep has probed this suspect; when every probe in flight failed, the node is removed. */
        boolean sweepRound;
        /**
         * Results still to come for probes sent before the last sign of life or answer: ignored when they
         * arrive (a prober answers each target's probes in the order they were sent).
         */
        int staleResults;

        Entry(NodeId id, long lastSeen) {
            this.id = id;
            this.lastSeen = lastSeen;
            this.idPiece = Seed.PACK_DELIMITER + id;
        }

        TrackerNode view() {
            return new TrackerNode(id, lastSeen, suspect, links);
        }
    }

    private static final String[] NO_PIECES = new String[0];

    private static final class Conn {
        final String peer;
        boolean closing;
        /** When the last line arrived (or the connection was accepted): the idle sweep closes it after idleTimeout. */
        long lastActivity;
        /** REG requests served on this connection. */
        int regs;

        Conn(String peer, long now) {
            this.peer = peer;
            this.lastActivity = now;
        }
    }

    public TrackerCore(TrackerConfig config, TrackerSnapshot initialState) {
        this.config = config;
        for (TrackerNode n : initialState.nodes()) {
            Entry e = new Entry(n.id(), n.lastSeenMs());
            e.suspect = n.suspect();
            addEntry(e);
        }
        // links after all nodes so that ids are shared with the registered ones
        for (TrackerNode n : initialState.nodes()) {
            Entry e = nodes.get(n.id());
            setLinks(e, canonical(n.links()));
        }
    }

    // ------------------------------------------------------------------------------------------ Core

    @Override
    public List<Effect> start(long now) {
        log.info("event=tracker-start nodes={} links={} suspects={}", nodes.size(), linkCount, suspectCount());
        return List.of(
                new Effect.SetTimer(SWEEP_TIMER, now + config.removePeriodMs()),
                new Effect.SetTimer(IDLE_TIMER, now + config.idleSweepPeriodMs()));
    }

    @Override
    public List<Effect> handle(long now, Event event) {
        List<Effect> out = new ArrayList<>(2);
        if (event instanceof Event.LineReceived e) {
            onLine(now, e.conn(), e.line(), out);
        } else if (event instanceof Event.Accepted e) {
            onAccepted(now, e, out);
        } else if (event instanceof Event.Closed e) {
            conns.remove(e.conn());
        } else if (event instanceof Event.LineTooLong e) {
            Conn c = conn(now, e.conn());
            if (!c.closing) {
                reject(e.conn(), c, "line", "longer than " + Seed.MAX_LENGTH + " bytes", "line-too-long", out);
            }
        } else if (event instanceof Event.ProbeResult e) {
            onProbeResult(e, out);
        } else if (event instanceof Event.TimerFired e) {
            if (SWEEP_TIMER.equals(e.key())) {
                sweep(now, out);
                out.add(new Effect.SetTimer(SWEEP_TIMER, now + config.removePeriodMs()));
            } else if (IDLE_TIMER.equals(e.key())) {
                idleSweep(now, out);
                out.add(new Effect.SetTimer(IDLE_TIMER, now + config.idleSweepPeriodMs()));
            }
        }
        // Connected / ConnectFailed: the tracker opens no connections of its own.
        return out;
    }

    // ----------------------------------------------------------------------------------- queries

    /** The whole overlay (nodes in registration order, with last-seen, suspect flag and links). */
    public TrackerSnapshot snapshot() {
        List<TrackerNode> list = new ArrayList<>(nodes.size());
        for (Entry e : nodes.values()) list.add(e.view());
        return new TrackerSnapshot(list);
    }

    public int nodeCount() {
        return nodes.size();
    }

    public int linkCount() {
        return linkCount;
    }

    public int suspectCount() {
        int n = 0;
        for (Entry e : nodes.values()) if (e.suspect) n++;
        return n;
    }

    /** Connections the core currently knows as open. */
    public int connectionCount() {
        return conns.size();
    }

    public TrackerCounters counters() {
        return new TrackerCounters(messageCounts, nackCounts, removalCounts, idleCloses);
    }

    public TrackerConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------- lines

    private Conn conn(long now, ConnId id) {
        Conn c = conns.get(id);
        if (c == null) {
            // a line without a preceding Accepted (e.g. a harness that skips it): track it anyway
            c = new Conn("unknown", now);
            conns.put(id, c);
        }
        return c;
    }

    private void onLine(long now, ConnId id, String line, List<Effect> out) {
        Conn c = conn(now, id);
        if (c.closing) return; // like Twisted's LineOnlyReceiver: no lines after loseConnection
        c.lastActivity = now;
        if (line.isEmpty()) {
            count(messageCounts, "EMPTY");
            close(id, c, out);
            return;
        }
        Decoded d = WireCodec.decode(WireCodec.Context.TRACKER_INBOUND, line);
        if (d instanceof Decoded.Err err) {
            reject(id, c, err.field(), err.reason(), reasonCategory(err.field(), err.reason()), out);
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
        Entry e = nodes.get(node);
        if (e == null && nodes.size() >= config.maxNodes()) {
            rejectLimited(now, id, c, "full", "too many nodes (" + config.maxNodes() + ")", NACK_FULL_NODES, out);
            return;
        }
        c.regs++;
        count(messageCounts, Seed.REGISTER);
        if (e == null) {
            e = new Entry(node, now);
            addEntry(e);
            log.info("event=join node={} peer={} nodes={}", node, c.peer, nodes.size());
        } else {
            boolean wasSuspect = e.suspect;
            signOfLife(e, now);
            log.info("event=rejoin node={} peer={} nodes={} was_suspect={}", node, c.peer, nodes.size(), wasSuspect);
        }
        out.add(new TrackerEffect.PersistNode(e.view()));
        for (String line : replyLines()) out.add(new Effect.Send(id, line));
        // v0.2 leaves the connection open after the reply; so do we.
    }

    private void onUpdate(long now, ConnId id, Conn c, List<Link> links, List<Effect> out) {
        if (links.isEmpty()) {
            // a node with no links sends a bare UPT; v0.2 ignores it (it cannot tell who sent it)
            count(messageCounts, Seed.UPDATE);
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
        Entry e = nodes.get(src);
        if (e == null) {
            reject(id, c, "src", "not registered: " + src, "unregistered-source", out);
            return;
        }
        if (links.size() > e.links.size() && linkCount - e.links.size() + links.size() > config.maxLinks()) {
            rejectLimited(now, id, c, "full", "too many links (" + config.maxLinks() + ")", NACK_FULL_LINKS, out);
            return;
        }
        count(messageCounts, Seed.UPDATE);
        boolean wasSuspect = e.suspect;
        signOfLife(e, now);
        int before = e.links.size();
        setLinks(e, canonical(links));
        out.add(new TrackerEffect.PersistNode(e.view()));
        if (log.isInfoEnabled()) {
            log.info(
                    "event=update node={} links={} previous_links={}{}",
                    src,
                    e.links.size(),
                    before,
                    wasSuspect ? " rmv_cancelled=true" : "");
        }
        close(id, c, out);
    }

    private void onRemove(ConnId id, Conn c, NodeId node, List<Effect> out) {
        count(messageCounts, Seed.REMOVE);
        Entry e = nodes.get(node);
        if (e == null) {
            log.info("event=rmv-unknown node={} peer={}", node, c.peer);
        } else {
            if (!e.suspect) {
                e.suspect = true;
                out.add(new TrackerEffect.PersistNode(e.view()));
            }
            // A node leaving reports itself from its own main port (a source no other host can use): one failed
            // probe of its echo port then removes it at once, without waiting for the next sweep.
            if (c.peer.equals(node.toString())) e.sweepRound = true;
            log.info("event=suspect node={} reporter={} probes_in_flight={}", node, c.peer, e.probesInFlight);
            if (e.probesInFlight == 0) probe(e, out);
        }
        close(id, c, out);
    }

    // ---------------------------------------------------------------------------- connections

    private void onAccepted(long now, Event.Accepted e, List<Effect> out) {
        Conn c = new Conn(e.remoteHost() + ":" + e.remotePort(), now);
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
            idleCloses += closed;
            log.info(
                    "event=idle-close closed={} idle_timeout_ms={} open={}",
                    closed,
                    config.idleTimeoutMs(),
                    conns.size());
        }
    }

    // ------------------------------------------------------------------------ removal machinery

    private void probe(Entry e, List<Effect> out) {
        e.probesInFlight++;
        out.add(new Effect.Probe(e.id, config.pingTimeoutMs()));
    }

    private void onProbeResult(Event.ProbeResult r, List<Effect> out) {
        Entry e = nodes.get(r.target());
        if (e == null || e.staleResults > 0 || !e.suspect) {
            if (e != null && e.staleResults > 0) e.staleResults--;
            log.debug("event=probe-late node={} answered={}", r.target(), r.answered());
            return;
        }
        e.probesInFlight = Math.max(0, e.probesInFlight - 1);
        if (r.answered()) {
            e.suspect = false;
            e.sweepRound = false;
            e.staleResults += e.probesInFlight;
            e.probesInFlight = 0;
            out.add(new TrackerEffect.PersistNode(e.view()));
            log.info(
                    "event=probe node={} answered=true rtt_ms={} suspect=false",
                    e.id,
                    String.format("%.3f", r.rttMs()));
        } else if (e.sweepRound && e.probesInFlight == 0) {
            log.info("event=probe node={} answered=false suspect=true", e.id);
            remove(e, CAUSE_DEAD_AFTER_RMV, out);
        } else {
            log.info(
                    "event=probe node={} answered=false suspect=true waiting_for={}",
                    e.id,
                    e.sweepRound ? "other-probes" : "next-sweep");
        }
    }

    private void sweep(long now, List<Effect> out) {
        int expired = 0, probed = 0;
        List<Entry> all = new ArrayList<>(nodes.values());
        for (Entry e : all) {
            if (now - e.lastSeen > config.expireAfterMs()) {
                remove(e, CAUSE_EXPIRED, out);
                expired++;
            }
        }
        for (Entry e : nodes.values()) {
            if (!e.suspect) continue;
            if (e.sweepRound) {
                // a whole period and the previous round's results never came (not with our runtimes): start over
                e.probesInFlight = 0;
                e.staleResults = 0;
            }
            e.sweepRound = true;
            probe(e, out);
            probed++;
        }
        if (expired > 0 || probed > 0) {
            log.info(
                    "event=sweep nodes={} links={} expired={} suspects_probed={}",
                    nodes.size(),
                    linkCount,
                    expired,
                    probed);
        } else {
            log.debug("event=sweep nodes={} links={} expired=0 suspects_probed=0", nodes.size(), linkCount);
        }
    }

    private void signOfLife(Entry e, long now) {
        e.lastSeen = Math.max(e.lastSeen, now);
        e.suspect = false;
        e.sweepRound = false;
        e.staleResults += e.probesInFlight; // their results say nothing about the node after this
        e.probesInFlight = 0;
    }

    private void remove(Entry e, String cause, List<Effect> out) {
        NodeId id = e.id;
        setLinks(e, List.of());
        nodes.remove(id);
        nodeChars -= e.idPiece.length();
        overCache = null;
        Set<NodeId> srcs = inbound.remove(id);
        if (srcs != null) {
            for (NodeId s : srcs) {
                Entry se = nodes.get(s);
                if (se == null) continue;
                List<Link> kept = new ArrayList<>(se.links.size());
                for (Link l : se.links) if (!l.dst().equals(id)) kept.add(l);
                setLinks(se, List.copyOf(kept));
                out.add(new TrackerEffect.PersistNode(se.view()));
            }
        }
        replyCache = null;
        out.add(new TrackerEffect.DeleteNode(id));
        count(removalCounts, cause);
        log.info("event=remove node={} cause={} nodes={}", id, cause, nodes.size());
    }

    private void addEntry(Entry e) {
        nodes.put(e.id, e);
        nodeChars += e.idPiece.length();
        replyCache = null;
        overCache = null;
    }

    /** Replaces e's links, keeping the reverse index, the encoded pieces and the counts in step. */
    private void setLinks(Entry e, List<Link> links) {
        for (Link l : e.links) {
            Set<NodeId> s = inbound.get(l.dst());
            if (s != null) {
                s.remove(e.id);
                if (s.isEmpty()) inbound.remove(l.dst());
            }
        }
        linkCount -= e.links.size();
        for (String p : e.linkPieces) linkChars -= p.length();
        e.links = links;
        linkCount += links.size();
        String[] pieces = links.isEmpty() ? NO_PIECES : new String[links.size()];
        StringBuilder sb = new StringBuilder(48);
        for (int i = 0; i < pieces.length; i++) {
            Link l = links.get(i);
            sb.setLength(0);
            sb.append(e.idPiece)
                    .append(Seed.PACK_DELIMITER)
                    .append(l.dst())
                    .append(Seed.PACK_DELIMITER)
                    .append(WireCodec.formatCost(l.cost()))
                    .append(Seed.NEIGHBOR_DELIMITER);
            pieces[i] = sb.toString();
            linkChars += pieces[i].length();
        }
        e.linkPieces = pieces;
        for (Link l : links)
            inbound.computeIfAbsent(l.dst(), k -> new HashSet<>(4)).add(e.id);
        replyCache = null;
        netCache = null;
    }

    /** The links with endpoints replaced by the registered NodeId instances (less memory per link). */
    private List<Link> canonical(List<Link> links) {
        List<Link> out = new ArrayList<>(links.size());
        for (Link l : links) {
            Entry s = nodes.get(l.src());
            Entry d = nodes.get(l.dst());
            NodeId src = s == null ? l.src() : s.id;
            NodeId dst = d == null ? l.dst() : d.id;
            out.add(src == l.src() && dst == l.dst() ? l : new Link(src, dst, l.cost()));
        }
        return List.copyOf(out);
    }

    private List<String> replyLines() {
        if (replyCache != null) return replyCache;
        if (ReplyLines.fitsOneLine(nodeChars, linkChars)) {
            replyCache = ReplyLines.oneLine(nodePieces(), linkPieces(), nodeChars, linkChars);
        } else {
            if (overCache == null) overCache = ReplyLines.overLines(nodePieces());
            if (netCache == null) netCache = ReplyLines.netLines(linkPieces());
            List<String> lines = new ArrayList<>(overCache.size() + netCache.size());
            lines.addAll(overCache);
            lines.addAll(netCache);
            replyCache = List.copyOf(lines);
        }
        return replyCache;
    }

    private List<String> nodePieces() {
        List<String> ids = new ArrayList<>(nodes.size());
        for (Entry e : nodes.values()) ids.add(e.idPiece);
        return ids;
    }

    private List<String> linkPieces() {
        List<String> links = new ArrayList<>(linkCount);
        for (Entry e : nodes.values()) for (String p : e.linkPieces) links.add(p);
        return links;
    }

    // -------------------------------------------------------------------------------- rejection

    private void reject(ConnId id, Conn c, String field, String reason, String category, List<Effect> out) {
        count(nackCounts, category);
        Decoded.Err err = new Decoded.Err(field, reason);
        log.warn("event=reject peer={} reason=\"{}\" category={}", c.peer, err.nackReason(), category);
        out.add(new Effect.Send(id, WireCodec.encode(new Message.Nack(err.nackReason()))));
        close(id, c, out);
    }

    /**
     * A rejection by a capacity limit (these come in floods): NACK and close like any other, but at most one
     * WARN line per second per category, which reports how many were not logged since the previous one.
     */
    private void rejectLimited(
            long now, ConnId id, Conn c, String field, String reason, String category, List<Effect> out) {
        count(nackCounts, category);
        Decoded.Err err = new Decoded.Err(field, reason);
        long[] state = warnLimiter.computeIfAbsent(category, k -> new long[] {Long.MIN_VALUE, 0});
        if (state[0] == Long.MIN_VALUE || now - state[0] >= WARN_INTERVAL_MS) {
            log.warn(
                    "event=reject peer={} reason=\"{}\" category={} not_logged_since_last={}",
                    c.peer,
                    err.nackReason(),
                    category,
                    state[1]);
            state[0] = now;
            state[1] = 0;
        } else {
            state[1]++;
        }
        out.add(new Effect.Send(id, WireCodec.encode(new Message.Nack(err.nackReason()))));
        close(id, c, out);
    }

    static final long WARN_INTERVAL_MS = 1_000;

    private static void close(ConnId id, Conn c, List<Effect> out) {
        c.closing = true;
        out.add(new Effect.Close(id));
    }

    /**
     * A small fixed set of reasons for the NACK counter (the NACK text itself is precise): bad-cost,
     * bad-address, bad-port, unknown-type, mixed-sources, malformed (plus line-too-long and
     * unregistered-source, decided by the core itself).
     */
    static String reasonCategory(String field, String reason) {
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

    private static void count(Map<String, Long> m, String key) {
        m.merge(key, 1L, Long::sum);
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
