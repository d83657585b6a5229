package io.egoist.node;

import io.egoist.node.linkstate.Confirmations;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Which nodes a {@link NodeCore} may probe: a node is confirmed when it can be checked (listed by the tracker, its
 * own update from its own address, a valid signature, or vouched for by a confirmed node); one named only in peers'
 * updates waits in the bounded unconfirmed set of {@link Confirmations}. Kept apart from the core so that the
 * vouching walk over the link-state database reads as one piece. Sans-I/O, like the core; not thread-safe.
 */
final class NodeConfirmation {
    private final NodeId self;
    private final Confirmations trust;
    private final LinkStateDb lsdb;
    private final NodeCounters counters;
    /** Starts measuring a node that has just been confirmed. */
    private final Consumer<NodeId> learn;

    NodeConfirmation(
            NodeId self, Confirmations trust, LinkStateDb lsdb, NodeCounters counters, Consumer<NodeId> learn) {
        this.self = self;
        this.trust = trust;
        this.lsdb = lsdb;
        this.counters = counters;
        this.learn = learn;
    }

    /**
     * {@code id} can be checked (listed by the tracker, its own update from its own address, or vouched for by a
     * confirmed node): learn it, and let it vouch in turn for the nodes its links we hold point to.
     */
    void confirm(NodeId id) {
        ArrayDeque<NodeId> work = new ArrayDeque<>();
        work.add(id);
        while (!work.isEmpty()) {
            NodeId n = work.poll();
            if (n.equals(self) || !trust.confirm(n)) continue;
            learn.accept(n);
            vouchFor(n, work);
        }
    }

    /**
     * An update from {@code src} with {@code links} was accepted: a confirmed source vouches for its links' ends; a
     * source that sent its own update from its own address ({@code fromOwnAddress}, asked only then) is confirmed
     * directly; anything else is only named.
     */
    void onAcceptedUpdate(NodeId src, List<Link> links, BooleanSupplier fromOwnAddress) {
        if (trust.vouches(src)) {
            ArrayDeque<NodeId> work = new ArrayDeque<>();
            vouchFor(src, work);
            for (NodeId n : work) confirm(n);
        } else if (fromOwnAddress.getAsBoolean()) {
            if (trust.confirmDirect(src)) learn.accept(src); // its own update from its own address
        } else {
            named(src);
            for (Link l : links) if (!trust.isConfirmed(l.dst())) named(l.dst());
        }
    }

    /** The nodes confirmed {@code source}'s links point to go onto {@code work}, at most a bounded number. */
    private void vouchFor(NodeId source, ArrayDeque<NodeId> work) {
        int vouched = 0;
        for (Link l : lsdb.linksOf(source)) {
            if (l.dst().equals(self) || trust.vouches(l.dst())) continue;
            if (vouched++ >= Confirmations.MAX_VOUCHES_PER_UPDATE) break;
            work.add(l.dst());
        }
    }

    /** Named by a peer's update only: not probed until it can be checked (the set is bounded). */
    private void named(NodeId id) {
        if (id.equals(self)) return;
        if (trust.isConfirmed(id) || trust.isUnconfirmed(id)) return;
        NodeId out = trust.named(id);
        if (out != null) {
            counters.unconfirmedEvicted++;
            lsdb.remove(out);
        }
    }
}
