package io.egoist.node.links;

import io.egoist.core.ConnId;
import io.egoist.node.NodeContext;
import io.egoist.security.ca.MemberId;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure mode: who each connection's peer is by its certificate ({@code Event.Authenticated}), and the checks of
 * the lines that claim the sender's own id against it. A member with a valid certificate for X that claims to be Y
 * (a HELLO answer naming Y, a DATA whose previous hop is Y) is refused and counted ({@code identityMismatches}).
 * In open mode nothing is recorded and every check passes. Sans-I/O; not thread-safe.
 */
public final class LinkIdentities {
    private static final Logger log = LoggerFactory.getLogger(LinkIdentities.class);

    private final NodeContext ctx;
    private final Map<ConnId, MemberId> ids = new HashMap<>();

    public LinkIdentities(NodeContext ctx) {
        this.ctx = ctx;
    }

    /** The runtime's TLS handshake proved that {@code c}'s peer is {@code peer}. */
    public void authenticated(ConnId c, MemberId peer) {
        ids.put(c, peer);
    }

    /** The connection closed: forget it. */
    public void closed(ConnId c) {
        ids.remove(c);
    }

    /** The node {@code c}'s peer authenticated as, or null (open mode, the tracker, or not known). */
    public NodeId node(ConnId c) {
        MemberId m = ids.get(c);
        return m == null ? null : m.node();
    }

    /**
     * Whether {@code claimed}, an id the peer of {@code c} gives as its own, agrees with its certificate (always in
     * open mode). A disagreement is logged with the peer's address {@code peerName} and counted.
     */
    public boolean claimHolds(ConnId c, NodeId claimed, String what, String peerName) {
        MemberId m = ids.get(c);
        if (m == null || (claimed != null && claimed.equals(m.node()))) return true;
        ctx.counters().identityMismatches++;
        log.warn(
                "event=identity_mismatch node={} peer={} authenticated={} claimed={} line={}",
                ctx.self(),
                peerName,
                m,
                claimed,
                what);
        return false;
    }

    /** A DATA on accepted connection {@code c}: its previous hop (the last id of its path) must be the peer. */
    public boolean dataFromItsPeer(ConnId c, Message.Data d, String peerName) {
        NodeId prev = d.path().isEmpty() ? null : d.path().get(d.path().size() - 1);
        return claimHolds(c, prev, "DATA", peerName);
    }
}
