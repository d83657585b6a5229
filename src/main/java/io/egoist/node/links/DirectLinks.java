package io.egoist.node.links;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct links: connections to the main port of nodes that are not our neighbors, opened on demand when a
 * {@link io.egoist.node.routing.RouteMode#BEST best}-mode route starts with such a node. They carry only DATA (and
 * whatever else the data plane sends as a source), are never announced and never flooded over, so they do not
 * change the overlay. Bounded: at most {@link #MAX_LINKS} at once (a further first hop is refused: the caller
 * falls back to the overlay route), {@link #MAX_PENDING_LINES} lines waiting while one connects, and a link
 * unused for {@link #IDLE_CLOSE_MS} is closed (below the 60 s after which the far end closes an idle connection
 * that is not a peer's link). A link that fails hands its waiting lines to {@code reroute} (the overlay route).
 */
public final class DirectLinks {
    private static final Logger log = LoggerFactory.getLogger(DirectLinks.class);

    /** At most this many direct links at once. */
    public static final int MAX_LINKS = 32;
    /** At most this many lines wait on a direct link that is still connecting; further lines are refused. */
    public static final int MAX_PENDING_LINES = 1_000;
    /** A direct link not used for this long is closed (the default of {@code NodeConfig.directLinkIdleMs}). */
    public static final long IDLE_CLOSE_MS = io.egoist.node.NodeConfig.DEFAULT_DIRECT_LINK_IDLE_MS;
    /** A direct link not up within this long counts as failed. */
    public static final long CONNECT_TIMEOUT_MS = 3_000;
    /** After a direct link for frames failed, the tunnel plane's frames to that peer take the overlay route this long. */
    public static final long RETRY_AFTER_FAILURE_MS = 5_000;

    private final NodeContext ctx;
    private final Consumer<List<String>> reroute;
    private final LinkedHashMap<NodeId, OutLink> byPeer = new LinkedHashMap<>();
    private final Map<ConnId, OutLink> conns = new HashMap<>();
    private final Map<ConnId, Long> lastUsed = new HashMap<>();
    /** When a line last went out on a link (keepalives for the far end's idle timeout count from it). */
    private final Map<ConnId, Long> lastLine = new HashMap<>();

    /** When a link to a peer last failed (at most one entry per measured node); for the tunnel plane's retries. */
    private final Map<NodeId, Long> failedAt = new HashMap<>();

    private long keepaliveSeq;
    private long refusedFull;

    public DirectLinks(NodeContext ctx, Consumer<List<String>> reroute) {
        this.ctx = ctx;
        this.reroute = reroute;
    }

    public boolean owns(ConnId c) {
        return conns.containsKey(c);
    }

    public int size() {
        return byPeer.size();
    }

    /** The peers we hold a direct link to (connected or connecting). */
    public List<NodeId> peers() {
        return new ArrayList<>(byPeer.keySet());
    }

    /**
     * Sends {@code line} to {@code peer} over a direct link, opening one if needed; false (nothing sent) when
     * {@link #MAX_LINKS} are open already or the link's queue is full.
     */
    public boolean send(NodeId peer, String line) {
        OutLink l = linkTo(peer);
        if (l == null) return false;
        if (l.connected) {
            ctx.emit(new Effect.Send(l.conn, line));
            lastLine.put(l.conn, ctx.now());
        } else if (l.pending.size() < MAX_PENDING_LINES) {
            l.pending.add(line);
        } else {
            return false;
        }
        lastUsed.put(l.conn, ctx.now());
        return true;
    }

    /** The link to {@code peer}, opened now if there is none and fewer than {@link #MAX_LINKS} are open; or null. */
    private OutLink linkTo(NodeId peer) {
        OutLink l = byPeer.get(peer);
        if (l != null) return l;
        if (byPeer.size() >= MAX_LINKS) {
            if (refusedFull++ % 1_000 == 0)
                log.info(
                        "event=direct_link_refused node={} peer={} reason=full refused={}",
                        ctx.self(),
                        peer,
                        refusedFull);
            return null;
        }
        ConnId c = ctx.newConn();
        l = new OutLink(peer, c);
        byPeer.put(peer, l);
        conns.put(c, l);
        ctx.emit(new Effect.Connect(c, peer.ip(), peer.port()));
        ctx.emit(new Effect.SetTimer(NodeTimers.DIRECT_CONNECT + c.value(), ctx.now() + CONNECT_TIMEOUT_MS));
        log.info("event=direct_link_open node={} peer={} links={}", ctx.self(), peer, byPeer.size());
        return l;
    }

    /**
     * The tunnel plane routes frames over direct links to {@code peers} (best-mode first hops that are not
     * neighbors): each is opened if missing (while fewer than {@link #MAX_LINKS} are open; the rest stay on the
     * overlay route) and counts as used now. Frames never reach the core, so the far end would see no line on a
     * link that carries only frames: while the link is in use, a heartbeat line goes on it every half of the idle
     * time, which keeps the far end's idle timeout (60 s) from closing it (its echo comes back and is ignored).
     */
    public void keep(java.util.Collection<NodeId> peers) {
        long keepalive = Math.max(1, idleMs() / 2);
        for (NodeId peer : peers) {
            if (peer.equals(ctx.self())) continue;
            Long failed = failedAt.get(peer);
            if (failed != null && ctx.now() - failed < RETRY_AFTER_FAILURE_MS && !byPeer.containsKey(peer)) continue;
            OutLink l = linkTo(peer);
            if (l == null) continue;
            lastUsed.put(l.conn, ctx.now());
            if (l.connected && ctx.now() - lastLine.getOrDefault(l.conn, 0L) >= keepalive) {
                ctx.emit(new Effect.Send(
                        l.conn, io.egoist.wire.WireCodec.encode(new io.egoist.wire.Message.Heartbeat(++keepaliveSeq))));
                lastLine.put(l.conn, ctx.now());
            }
        }
    }

    /** The connection of the up direct link to {@code peer}, if there is one. */
    public java.util.Optional<ConnId> connOf(NodeId peer) {
        OutLink l = byPeer.get(peer);
        return l == null || !l.connected ? java.util.Optional.empty() : java.util.Optional.of(l.conn);
    }

    /** First hops refused because {@link #MAX_LINKS} direct links were open. */
    public long refusedFull() {
        return refusedFull;
    }

    private long idleMs() {
        return ctx.cfg().directLinkIdleMs();
    }

    /** The link is up: the waiting lines go out; the idle check starts. */
    public void onConnected(ConnId c) {
        OutLink l = conns.get(c);
        if (l == null) return;
        l.connected = true;
        failedAt.remove(l.peer);
        ctx.emit(new Effect.CancelTimer(NodeTimers.DIRECT_CONNECT + c.value()));
        if (!l.pending.isEmpty()) lastLine.put(c, ctx.now());
        while (!l.pending.isEmpty()) ctx.emit(new Effect.Send(l.conn, l.pending.poll()));
        ctx.emit(new Effect.SetTimer(NodeTimers.DIRECT_IDLE + c.value(), ctx.now() + idleMs()));
    }

    /** The link failed (connect failure, close, over-long line): forgotten, its waiting lines rerouted. */
    public void onFailed(ConnId c, String reason) {
        OutLink l = conns.get(c);
        if (l == null) return;
        log.info(
                "event=direct_link_lost node={} peer={} cause={} waiting={}",
                ctx.self(),
                l.peer,
                reason,
                l.pending.size());
        List<String> waiting = new ArrayList<>(l.pending);
        failedAt.put(l.peer, ctx.now());
        forget(l);
        if (!waiting.isEmpty()) reroute.accept(waiting);
    }

    /** A line from the far end of a direct link: nothing is expected (a NACK is logged). */
    public void onLine(ConnId c, String line) {
        OutLink l = conns.get(c);
        log.debug(
                "event=direct_link_line node={} peer={} line={}",
                ctx.self(),
                l == null ? c : l.peer,
                NodeContext.clip(line));
    }

    /** Handles a direct-link timer; false if {@code key} is not one. */
    public boolean onTimer(String key) {
        if (key.startsWith(NodeTimers.DIRECT_CONNECT)) {
            ConnId c = NodeTimers.conn(key, NodeTimers.DIRECT_CONNECT);
            OutLink l = conns.get(c);
            if (l != null && !l.connected) onFailed(c, "connect_timeout");
            return true;
        }
        if (key.startsWith(NodeTimers.DIRECT_IDLE)) {
            ConnId c = NodeTimers.conn(key, NodeTimers.DIRECT_IDLE);
            OutLink l = conns.get(c);
            if (l == null) return true;
            long idleSince = lastUsed.getOrDefault(c, 0L);
            if (ctx.now() - idleSince >= idleMs()) {
                log.info("event=direct_link_closed node={} peer={} cause=idle", ctx.self(), l.peer);
                forget(l);
            } else {
                ctx.emit(new Effect.SetTimer(key, idleSince + idleMs()));
            }
            return true;
        }
        return false;
    }

    private void forget(OutLink l) {
        byPeer.remove(l.peer);
        conns.remove(l.conn);
        lastUsed.remove(l.conn);
        lastLine.remove(l.conn);
        ctx.emit(new Effect.CancelTimer(NodeTimers.DIRECT_CONNECT + l.conn.value()));
        ctx.emit(new Effect.CancelTimer(NodeTimers.DIRECT_IDLE + l.conn.value()));
        ctx.emit(new Effect.Close(l.conn));
    }
}
