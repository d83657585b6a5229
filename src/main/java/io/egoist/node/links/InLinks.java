package io.egoist.node.links;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeContext;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepted connections (in-links): who connected, and whether it has shown it speaks our extensions, which
 * decides whether a rejection is answered with NACK. Only a line we cannot parse at all (or one too long) closes
 * the connection ({@link #reject}); a parsed but unusable one is dropped ({@link #refuse}).
 */
public final class InLinks {
    private static final Logger log = LoggerFactory.getLogger(InLinks.class);

    private static final class InConn {
        final String remote;
        final String host;
        boolean speaksExtensions;
        /** Secure mode: the node id its certificate names (preferred over the address), else null. */
        NodeId id;

        InConn(String host, String remote) {
            this.host = host;
            this.remote = remote;
        }
    }

    private final NodeContext ctx;
    private final Map<ConnId, InConn> conns = new HashMap<>();

    public InLinks(NodeContext ctx) {
        this.ctx = ctx;
    }

    public void accepted(ConnId c, String remoteHost, int remotePort) {
        conns.put(c, new InConn(remoteHost, remoteHost + ":" + remotePort));
    }

    /** Secure mode: the connector proved with its certificate that it is node {@code id} (null: the tracker). */
    public void authenticated(ConnId c, NodeId id) {
        InConn ic = conns.get(c);
        if (ic != null) ic.id = id;
    }

    /**
     * Whether {@code node} itself is the connector: by its certificate's id when the connection authenticated one,
     * else by its IP address (open mode: probing it reaches only the host that connected to us).
     */
    public boolean sentBy(ConnId c, NodeId node) {
        InConn ic = conns.get(c);
        if (ic == null) return false;
        return ic.id != null ? ic.id.equals(node) : node.ip().equals(ic.host);
    }

    public boolean owns(ConnId c) {
        return conns.containsKey(c);
    }

    /**
     * The connector sent a line only an egoist node sends (HB, DATA, DACK, NACK; only to a peer whose HELLO listed
     * them): from now on a rejection on this connection may be answered with NACK.
     */
    public void speaksExtensions(ConnId c) {
        InConn ic = conns.get(c);
        if (ic != null) ic.speaksExtensions = true;
    }

    /** The peer tore the link down (TRD): close our end. */
    public void teardown(ConnId c) {
        conns.remove(c);
        ctx.emit(new Effect.Close(c));
    }

    public void closed(ConnId c) {
        conns.remove(c);
    }

    /** The connector's IP address (null for a connection we do not hold). */
    public String remoteHost(ConnId c) {
        InConn ic = conns.get(c);
        return ic == null ? null : ic.host;
    }

    /** The connector's address (with its authenticated id in secure mode), for log lines. */
    public String name(ConnId c) {
        InConn ic = conns.get(c);
        return ic == null ? c.toString() : ic.id == null ? ic.remote : ic.id + "/" + ic.remote;
    }

    /**
     * A line we could parse but cannot use (e.g. an update whose links do not start at its source): dropped, the
     * connection stays up (one bad update must not cut a v0.2 peer off, which would report us dead); NACK@reason
     * only to a connector that has shown it is an egoist node.
     */
    public void refuse(ConnId c, String reason) {
        InConn ic = conns.get(c);
        boolean nack = ic != null && ic.speaksExtensions;
        String r = nackReason(reason);
        log.warn("event=refuse node={} peer={} reason=\"{}\" nack={}", ctx.self(), name(c), r, nack);
        if (nack) ctx.emit(new Effect.Send(c, WireCodec.encode(new Message.Nack(r))));
    }

    private static String nackReason(String reason) {
        String r = reason.replace('@', ' ').replace('\r', ' ').replace('\n', ' ');
        return r.length() > 200 ? r.substring(0, 200) : r;
    }

    /**
     * Bad input on an accepted connection: close it, state unchanged, one log line. NACK@reason first only if the
     * connector has shown it is an egoist node: an extension never goes to a v0.2 peer, and the accepting side
     * cannot tell otherwise who connected.
     */
    public void reject(ConnId c, String reason) {
        ctx.counters().rejected++;
        String r = nackReason(reason);
        InConn ic = conns.remove(c);
        boolean nack = ic != null && ic.speaksExtensions;
        log.warn(
                "event=reject node={} peer={} reason=\"{}\" nack={}",
                ctx.self(),
                ic == null ? c.toString() : ic.remote,
                r,
                nack);
        if (nack) ctx.emit(new Effect.Send(c, WireCodec.encode(new Message.Nack(r))));
        ctx.emit(new Effect.Close(c));
    }
}
