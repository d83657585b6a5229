package io.egoist.node.linkstate;

import io.egoist.wire.Seed;

/**
 * Link-state sequence numbers: serial-number arithmetic modulo PKT_IDS_LIMIT, where a node starts, and when it
 * nears the wrap that v0.2 receivers do not survive.
 */
public final class SeqNumbers {
    private SeqNumbers() {}

    /**
     * Our first sequence number, as v0.2's: 0. A v0.2 receiver compares with a plain {@code >} and never forgets
     * the last number it accepted, so starting at 0 gives it the longest run v0.2 allows (5000 announcements, days
     * at our rate). A restart of ours is healed by the re-announcement past our own id (docs/COMPATIBILITY.md).
     */
    public static final int FIRST = 0;

    /** Within this many numbers of the wrap, a node with v0.2 peers logs once that they will ignore it after it. */
    public static final int WRAP_WARNING_MARGIN = 100;

    /** True iff sequence number {@code s} is newer than {@code r} modulo PKT_IDS_LIMIT (RFC 1982 style). */
    public static boolean newer(int s, int r) {
        int d = Math.floorMod(s - r, Seed.PKT_IDS_LIMIT);
        return d > 0 && d < Seed.PKT_IDS_LIMIT / 2;
    }

    /** Whether {@code seq} lies within {@link #WRAP_WARNING_MARGIN} of the wrap (the last numbers before 0). */
    public static boolean nearWrap(int seq) {
        return seq >= Seed.PKT_IDS_LIMIT - WRAP_WARNING_MARGIN;
    }
}
