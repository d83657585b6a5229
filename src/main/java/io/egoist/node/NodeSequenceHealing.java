package io.egoist.node;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.linkstate.UpdateSeal;
import io.egoist.node.probe.Measurements;
import io.egoist.node.probe.Peer;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.List;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our link-state sequence numbers start at 0, as v0.2's do, so a restarted node of ours announces numbers its peers
 * hold as stale. This heals it, as OSPF does: a stale update that its source sent us itself is answered with the
 * newer copy we hold; the source, seeing its own id with a number ahead of its own, announces past it at once
 * ({@link LinkStateDb}). Only our own nodes are answered (a source whose HELLO listed features): a v0.2 node is
 * never sent its own update. Sans-I/O, like the core; not thread-safe.
 */
final class NodeSequenceHealing {
    private static final Logger log = LoggerFactory.getLogger(NodeSequenceHealing.class);

    private final NodeContext ctx;
    private final LinkStateDb lsdb;
    private final UpdateSeal seal;
    private final Measurements measurements;
    /** Whether a node sent on an accepted connection itself (its certificate's id, else its IP address). */
    private final BiPredicate<ConnId, NodeId> sentBy;
    /** Announce now (our own id came back with a number ahead of ours). */
    private final Runnable announceNow;

    NodeSequenceHealing(
            NodeContext ctx,
            LinkStateDb lsdb,
            UpdateSeal seal,
            Measurements measurements,
            BiPredicate<ConnId, NodeId> sentBy,
            Runnable announceNow) {
        this.ctx = ctx;
        this.lsdb = lsdb;
        this.seal = seal;
        this.measurements = measurements;
        this.sentBy = sentBy;
        this.announceNow = announceNow;
        lsdb.v02PeersWhen(this::hasV02Peers);
    }

    /** Whether some known node is a v0.2 node (its echo port echoed our HELLO: no features). */
    boolean hasV02Peers() {
        for (Peer p : measurements.all()) {
            List<String> f = p.features();
            if (f != null && f.isEmpty()) return true;
        }
        return false;
    }

    /**
     * A stale update {@code u} arrived on accepted connection {@code c}: when its source itself sent it and is one
     * of ours, send back the newer copy we hold, so that it learns where its previous life stopped.
     */
    void onStale(ConnId c, Message.PeerUpdate u) {
        NodeId src = u.source();
        if (!sentBy.test(c, src)) return;
        List<String> f = measurements.featuresOf(src);
        if (f == null || f.isEmpty()) return; // a v0.2 node (or one not asked yet): never sent its own update
        String copy = lsdb.newerCopy(src, u.seq());
        if (copy == null) return;
        ctx.counters().staleAnswered++;
        log.info(
                "event=stale_answered node={} source={} seq={} held_seq={}",
                ctx.self(),
                src,
                u.seq(),
                lsdb.lastSeq(src));
        ctx.emit(new Effect.Send(c, copy));
    }

    /**
     * A link-state line on one of our out-links: a neighbor answering our stale announcement with the copy it holds
     * of our previous life. Only an update of our own id is used (in secure mode only with a valid signature); we
     * jump past its number and announce at once.
     */
    void onOutLinkLine(String line) {
        if (!(WireCodec.decode(WireCodec.Context.PEER_LINK, line) instanceof Decoded.Ok ok)) return;
        Message.PeerUpdate u;
        if (ok.message() instanceof Message.PeerUpdate pu && !seal.secure()) u = pu;
        else if (ok.message() instanceof Message.SignedUpdate su
                && seal.secure()
                && su.update().source().equals(ctx.self())
                && seal.check(su, ctx.now()).ok()) u = su.update();
        else return;
        if (!u.source().equals(ctx.self())) return;
        if (lsdb.accept(u, line) == LinkStateDb.Verdict.OWN_AHEAD) announceNow.run();
    }
}
