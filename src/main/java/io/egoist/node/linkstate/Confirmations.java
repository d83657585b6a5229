package io.egoist.node.linkstate;

import io.egoist.wire.NodeId;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which nodes this node may probe. A peer update can name any address, and probing it (an echo connection, a HELLO)
 * would make us a port-scan and reflection amplifier for whoever forged it. So a node is <b>confirmed</b> (and
 * only then learned, probed and a wiring candidate) when it can be checked:
 *
 * <ul>
 *   <li>the tracker lists it (node list or links of a REG reply);
 *   <li>a confirmed node vouches for it: an accepted update whose origin is confirmed links to it (at most {@link
 *       #MAX_VOUCHES_PER_UPDATE} new nodes per update), and a node that becomes confirmed vouches in turn for the
 *       links we hold of it;
 *   <li>it sent its own update over a connection from its own address: probing it reaches only the host that
 *       connected to us. Such a node is probed, but vouches for nobody (else anyone could make us probe whatever
 *       its own update names).
 * </ul>
 *
 * A node named otherwise is <b>unconfirmed</b>: its update is stored and flooded as the protocol says, but it is
 * not probed. At most {@link #MAX_UNCONFIRMED} are remembered; beyond that the oldest is forgotten (its link state
 * too) and counted. Forging the update of a confirmed origin is not stopped here (that needs signed link state).
 * Pure bookkeeping, no I/O.
 */
public final class Confirmations {
    /** At most this many unconfirmed nodes (named only in peers' updates) are remembered. */
    public static final int MAX_UNCONFIRMED = 1_024;
    /** One update vouches for at most this many nodes that were not confirmed yet. */
    public static final int MAX_VOUCHES_PER_UPDATE = 64;

    /** Confirmed by the tracker or by a vouch: probed, and vouch for the nodes they link to. */
    private final Set<NodeId> confirmed = new HashSet<>();
    /** Confirmed by their own update from their own address: probed, but vouch for nobody. */
    private final Set<NodeId> direct = new HashSet<>();

    private final LinkedHashSet<NodeId> unconfirmed = new LinkedHashSet<>();
    private final int capacity;
    private long evicted;

    public Confirmations() {
        this(MAX_UNCONFIRMED);
    }

    Confirmations(int capacity) {
        this.capacity = capacity;
    }

    /** Whether {@code n} may be probed. */
    public boolean isConfirmed(NodeId n) {
        return confirmed.contains(n) || direct.contains(n);
    }

    /** Whether {@code n}'s links vouch for the nodes they point to. */
    public boolean vouches(NodeId n) {
        return confirmed.contains(n);
    }

    /** Marks {@code n} confirmed by the tracker or a vouch; true if it did not vouch before. */
    public boolean confirm(NodeId n) {
        unconfirmed.remove(n);
        direct.remove(n);
        return confirmed.add(n);
    }

    /** {@code n} sent its own update from its own address: probed (unless it already was), vouching for nobody. */
    public boolean confirmDirect(NodeId n) {
        if (confirmed.contains(n)) return false;
        unconfirmed.remove(n);
        return direct.add(n);
    }

    /**
     * {@code n} was named by a source we cannot check: remembered as unconfirmed (unless confirmed). Returns the
     * node forgotten to make room (the oldest unconfirmed one), or null.
     */
    public NodeId named(NodeId n) {
        if (isConfirmed(n) || unconfirmed.contains(n)) return null;
        NodeId out = null;
        if (unconfirmed.size() >= capacity) {
            Iterator<NodeId> it = unconfirmed.iterator();
            out = it.next();
            it.remove();
            evicted++;
        }
        unconfirmed.add(n);
        return out;
    }

    /** {@code n} was forgotten (dead): it must be confirmed again before it is probed again. */
    public void forget(NodeId n) {
        confirmed.remove(n);
        direct.remove(n);
        unconfirmed.remove(n);
    }

    public int unconfirmedCount() {
        return unconfirmed.size();
    }

    public boolean isUnconfirmed(NodeId n) {
        return unconfirmed.contains(n);
    }

    /** Unconfirmed nodes forgotten because the set was full. */
    public long evicted() {
        return evicted;
    }
}
