package io.egoist.tracker;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.util.ArrayList;
import java.util.List;

/** The tracker's mutable record of one registered node; owned by {@link Overlay}, read by the other components. */
final class NodeEntry {
    static final String[] NO_PIECES = new String[0];
    static final NodeEntry[] NO_DSTS = new NodeEntry[0];

    final NodeId id;
    /** {@code @ip:port}: this node's piece of a REG reply's node list. */
    final String idPiece;

    long lastSeen;
    boolean suspect;
    List<Link> links = List.of();
    /** Each link as {@code @src@dst@cost|}, encoded once per UPT. */
    String[] linkPieces = NO_PIECES;
    /** Total length of {@link #linkPieces} (kept so a UPT does not read the old pieces again). */
    int linkPiecesChars;
    /**
     * Each link's destination entry (parallel to {@link #links}), null while the destination is not registered:
     * the reverse index is reached through these, without hashing ids ({@link Overlay}).
     */
    NodeEntry[] linkDsts = NO_DSTS;
    /**
     * Reverse index, kept lazily: every registered node with a link to this one is in the list (null when none
     * ever was); entries whose link has gone since, and repeats, are dropped when the list is compacted ({@link
     * Overlay}), so a UPT only appends.
     */
    ArrayList<NodeEntry> linkedFrom;
    /** Compact {@link #linkedFrom} when it reaches this size. */
    int linkedFromCompactAt;
    /** Scratch mark of {@link Overlay}'s walks over a reverse index (each walk has its own stamp; a long never comes round). */
    long stamp;

    /** Probes sent whose result has not come back. */
    int probesInFlight;
    /** A sweep has probed this node; when every probe in flight failed, the node is removed. */
    boolean sweepRound;
    /**
     * Results still to come for probes sent before the last sign of life or answer: ignored when they arrive
     * (a prober answers each target's probes in the order they were sent).
     */
    int staleResults;
    /** Silent for longer than expire-after and being probed before it is expired (not a suspect: nobody reported it). */
    boolean expiring;

    NodeEntry(NodeId id, long lastSeen) {
        this.id = id;
        this.lastSeen = lastSeen;
        this.idPiece = Seed.PACK_DELIMITER + id;
    }

    /** Being probed (reported dead, or silent too long). */
    boolean underProbe() {
        return suspect || expiring;
    }

    TrackerNode view() {
        return new TrackerNode(id, lastSeen, suspect, links);
    }
}
