package io.egoist.node.linkstate;

import io.egoist.node.NodeConfig;
import io.egoist.wire.Seed;

/** Link-state sequence numbers: serial-number arithmetic modulo PKT_IDS_LIMIT, and where a node starts. */
public final class SeqNumbers {
    private SeqNumbers() {}

    /** True iff sequence number {@code s} is newer than {@code r} modulo PKT_IDS_LIMIT (RFC 1982 style). */
    public static boolean newer(int s, int r) {
        int d = Math.floorMod(s - r, Seed.PKT_IDS_LIMIT);
        return d > 0 && d < Seed.PKT_IDS_LIMIT / 2;
    }

    /**
     * The clock unit of our first sequence number: two thirds of the re-wiring period (40 s by default), at
     * least 1 s. We announce about once per wiring step at most (plus one or two per lost neighbor), so this
     * clock runs ahead of our counter and a restarted node's first number lies ahead of its last one.
     */
    public static long clockUnitMs(NodeConfig cfg) {
        return Math.max(1_000, cfg.rewirePeriodMs() * 2 / 3);
    }

    /** The first sequence number of a node started at {@code nowMillis}: its clock in seq units, modulo 5000. */
    public static int first(NodeConfig cfg, long nowMillis) {
        return (int) Math.floorMod(Math.floorDiv(nowMillis, clockUnitMs(cfg)), (long) Seed.PKT_IDS_LIMIT);
    }
}
