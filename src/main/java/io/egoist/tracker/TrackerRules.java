package io.egoist.tracker;

/**
 * The tracker's protocol rules against strangers, apart from the capacity limits.
 *
 * @param allowForeignIds  false (default): a REG or UPT for an id whose IP is not the TCP peer's address gets
 *                         {@code NACK@node} / {@code NACK@src}, and an RMV is taken only from the address of a
 *                         registered node ({@code NACK@reporter} otherwise); true turns both checks off (nodes
 *                         behind a proxy or NAT that rewrites the source address)
 * @param regRatePerSecond REGs of <b>new</b> ids one address may make per second, sustained (token bucket refill)
 * @param regBurst         REGs of new ids one address may make at once (bucket size); beyond the bucket a REG
 *                         of a new id gets {@code NACK@busy: too many new ids from this address}
 */
public record TrackerRules(boolean allowForeignIds, double regRatePerSecond, int regBurst) {

    /** One host may start this many nodes at once (e.g. a local overlay or a test bed)... */
    public static final int DEFAULT_REG_BURST = 1_000;
    /** ...and then keep adding new ones at this rate. */
    public static final double DEFAULT_REG_RATE = 100;

    /**
     * Addresses whose bucket is tracked; beyond it the fullest buckets are forgotten (a forgotten bucket is a
     * full one, so this only ever errs on the generous side).
     */
    public static final int MAX_TRACKED_ADDRESSES = 65_536;

    public static final TrackerRules DEFAULTS = new TrackerRules(false, DEFAULT_REG_RATE, DEFAULT_REG_BURST);

    public TrackerRules {
        if (!(regRatePerSecond > 0) || Double.isInfinite(regRatePerSecond))
            throw new IllegalArgumentException("REG rate must be a positive number per second");
        if (regBurst < 1) throw new IllegalArgumentException("REG burst must be at least 1");
    }

    public TrackerRules withAllowForeignIds(boolean v) {
        return new TrackerRules(v, regRatePerSecond, regBurst);
    }

    public TrackerRules withRegRate(double perSecond, int burst) {
        return new TrackerRules(allowForeignIds, perSecond, burst);
    }
}
