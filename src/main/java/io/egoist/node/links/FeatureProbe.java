package io.egoist.node.links;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.node.probe.Peer;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import io.egoist.wire.WireCodec.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feature detection: our HELLO line to a peer's echo port. An egoist node answers with its own HELLO (its
 * features); a v0.2 echo port echoes ours verbatim (no features). Off when we have no extensions.
 */
public final class FeatureProbe {
    private static final Logger log = LoggerFactory.getLogger(FeatureProbe.class);

    private final NodeContext ctx;
    private final String helloLine;
    private final Function<NodeId, Peer> peers;
    private final Map<ConnId, NodeId> conns = new HashMap<>();
    /** Secure mode: a HELLO answer must name the id the connection's certificate authenticated. */
    private LinkIdentities identities;

    /** {@code helloLine}: ours, or null when we have no extensions; {@code peers}: the known nodes. */
    public FeatureProbe(NodeContext ctx, String helloLine, Function<NodeId, Peer> peers) {
        this.ctx = ctx;
        this.helloLine = helloLine;
        this.peers = peers;
    }

    /** Checks HELLO answers against the ids the connections authenticated as (secure mode). */
    public void identities(LinkIdentities ids) {
        this.identities = ids;
    }

    public boolean owns(ConnId c) {
        return conns.containsKey(c);
    }

    /** Asks {@code p} for its features, unless they are known or a question is pending. */
    public void detect(Peer p) {
        if (helloLine == null || p.features() != null || p.helloPending()) return;
        p.helloPending(true);
        ConnId c = ctx.newConn();
        conns.put(c, p.id());
        ctx.emit(new Effect.Connect(c, p.id().ip(), p.id().echoPort()));
        ctx.emit(new Effect.SetTimer(NodeTimers.hello(c), ctx.now() + ctx.cfg().pingTimeoutMs() * 2));
    }

    public void onConnected(ConnId c) {
        if (conns.containsKey(c)) ctx.emit(new Effect.Send(c, helloLine));
    }

    /** The answer on {@code c}: returns the peer whose features changed, or null. */
    public Peer onLine(ConnId c, String line) {
        NodeId id = conns.get(c);
        end(c, id);
        Peer p = peers.apply(id);
        if (p == null) return null;
        List<String> features;
        if (line.equals(helloLine)) {
            features = List.of(); // echoed verbatim: a v0.2 echo port
        } else {
            Decoded d = WireCodec.decode(Context.ECHO, line);
            if (d instanceof Decoded.Ok ok && ok.message() instanceof Message.Hello hello) {
                // a member answering for another id: refused (the connection is closed above), features unknown
                if (identities != null && !identities.claimHolds(c, hello.node(), "HELLO", id + " (echo port)"))
                    return null;
                features = hello.features();
            } else {
                log.warn("event=hello_unexpected node={} peer={} line={}", ctx.self(), id, NodeContext.clip(line));
                features = List.of();
            }
        }
        boolean changed = !features.equals(p.features());
        p.features(features);
        log.debug("event=features node={} peer={} features={}", ctx.self(), id, features);
        return changed ? p : null;
    }

    private void end(ConnId c, NodeId id) {
        conns.remove(c);
        ctx.emit(new Effect.Close(c));
        ctx.emit(new Effect.CancelTimer(NodeTimers.hello(c)));
        Peer p = peers.apply(id);
        if (p != null) p.helloPending(false);
    }

    /** The HELLO deadline passed: give up (the features stay unknown; asked again at the next answer). */
    public void onTimer(String key) {
        ConnId c = NodeTimers.conn(key, NodeTimers.HELLO);
        NodeId id = conns.get(c);
        if (id != null) end(c, id);
    }

    /** A line too long on {@code c}: give up the exchange. */
    public void onLineTooLong(ConnId c) {
        NodeId id = conns.get(c);
        if (id != null) end(c, id);
    }

    /** Drops an unfinished exchange on {@code c} (failed or closed), if any; true when there was one. */
    public boolean abandon(ConnId c) {
        NodeId id = conns.remove(c);
        if (id == null) return false;
        ctx.emit(new Effect.CancelTimer(NodeTimers.hello(c)));
        Peer p = peers.apply(id);
        if (p != null) p.helloPending(false);
        return true;
    }
}
