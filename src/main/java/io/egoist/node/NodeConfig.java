package io.egoist.node;

import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link NodeCore} is configured with; immutable, built once (from the CLI options, a test or the
 * harness). Durations in milliseconds. {@link #defaults} gives the seed's periods plus our extensions' settings.
 *
 * @param self              this node's id (its IPv4 address and main port; the echo port is port + 1)
 * @param trackerHost       the tracker's address
 * @param trackerPort       the tracker's port ({@link Seed#BOOTSTRAP_PORT} by default)
 * @param k                 how many out-neighbors to keep
 * @param policy            wiring policy name ({@code br}, {@code br-eps}, {@code hybrid-br}, {@code k-random}, ...)
 * @param epsilon           BR(ε) threshold: re-wire only if the cost falls by more than this fraction
 * @param pingPeriodMs      probe every known node this often ({@link Seed#PING_PERIOD_MS})
 * @param pingTimeoutMs     a probe not answered within this counts as HUGE_DELAY ({@link Seed#PING_TIMEOUT_MS})
 * @param firstProbeDelayMs first probe of a newly learned node after this delay
 * @param rewirePeriodMs    one re-wiring step this often ({@link Seed#REWIRING_PERIOD_MS})
 * @param eraseHashMs       the seen-update cache is cleared this often ({@link Seed#ERASE_HASH_MS})
 * @param heartbeatPeriodMs HB on each out-link to a peer that supports "hb", this often
 * @param heartbeatMisses   that many periods without an echoed HB = the neighbor is lost
 * @param trackerRetryMs    first back-off after the tracker could not be reached (doubles ...)
 * @param trackerRetryMaxMs ... up to this
 * @param trackerRefreshMs  REG again this often (detects a tracker that restarted and forgot us)
 * @param announceRefreshMs announce our links at least this often even if nothing changed
 * @param features          our extensions, advertised by HELLO; empty = behave exactly like v0.2 on the wire
 * @param dataTtl           TTL of DATA and DACK messages
 * @param dataTimeoutMs     a DATA not acknowledged within this fails
 * @param forgetAfterFailures forget a node (stop probing it, drop its links) after this many failed probes in a row
 * @param dataHoldMs        a DATA/DACK with no route to its destination right now (e.g. the destination's last
 *                          in-link is being replaced) waits up to this long for one before it is dropped
 * @param rewireMinGainMs   policy {@code br} only: re-wire only if C_i falls by more than this many ms ...
 * @param rewireMinGainFraction ... and by more than this fraction of the current C_i (measurement noise guard,
 *                          see docs/DESIGN-NODE.md "Noise guard"); 0 and 0 = plain best response
 * @param directLinkIdleMs  a direct link (io.egoist.node.links.DirectLinks) unused this long is closed; while in
 *                          use, a keepalive line goes on it every half of this (so the far end's idle timeout,
 *                          60 s by default, never closes it)
 */
public record NodeConfig(
        NodeId self,
        String trackerHost,
        int trackerPort,
        int k,
        String policy,
        double epsilon,
        long pingPeriodMs,
        long pingTimeoutMs,
        long firstProbeDelayMs,
        long rewirePeriodMs,
        long eraseHashMs,
        long heartbeatPeriodMs,
        int heartbeatMisses,
        long trackerRetryMs,
        long trackerRetryMaxMs,
        long trackerRefreshMs,
        long announceRefreshMs,
        List<String> features,
        int dataTtl,
        long dataTimeoutMs,
        int forgetAfterFailures,
        long dataHoldMs,
        double rewireMinGainMs,
        double rewireMinGainFraction,
        long directLinkIdleMs) {

    public static final String FEATURE_HB = "hb";
    public static final String FEATURE_DATA = "data";
    /** Signed link state (secure mode, io.egoist.security.sign): the peer sends and accepts SUPT lines. */
    public static final String FEATURE_SIG = "sig";

    /** Binary tunnel frames on our out-links to this node (io.egoist.tunnel). */
    public static final String FEATURE_FRAMES = "frames";

    /** Takes a DACK on its out-link, written back on the link its DATA went out on (hop-by-hop reverse path). */
    public static final String FEATURE_BACK = "back";

    /** Reassembles DATA fragments (io.egoist.wire.DataFragment): only such a node is sent a multi-line payload. */
    public static final String FEATURE_FRAG = "frag";

    public static final List<String> DEFAULT_FEATURES =
            List.of(FEATURE_HB, FEATURE_DATA, FEATURE_BACK, FEATURE_FRAG, FEATURE_FRAMES);
    /** Default {@link #dataHoldMs}: longer than the usual gap while a destination's in-links are replaced. */
    public static final long DEFAULT_DATA_HOLD_MS = 2_000;
    /** Default {@link #rewireMinGainMs}: a few ms, the jitter of RTT probes on a real path. */
    public static final double DEFAULT_REWIRE_MIN_GAIN_MS = 5.0;
    /** Default {@link #rewireMinGainFraction}: 1 % of C_i, the relative noise of a mean of 3 RTT samples. */
    public static final double DEFAULT_REWIRE_MIN_GAIN_FRACTION = 0.01;
    /** Default {@link #directLinkIdleMs}: 30 s, half the far end's 60 s idle timeout for connections. */
    public static final long DEFAULT_DIRECT_LINK_IDLE_MS = 30_000;

    public NodeConfig {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(trackerHost, "trackerHost");
        Objects.requireNonNull(policy, "policy");
        features = List.copyOf(features);
        if (trackerPort < 1 || trackerPort > 65535)
            throw new IllegalArgumentException("tracker port out of range: " + trackerPort);
        if (k < 1) throw new IllegalArgumentException("k must be at least 1: " + k);
        if (!(epsilon >= 0 && epsilon < 1)) throw new IllegalArgumentException("epsilon must be in [0, 1): " + epsilon);
        positive("ping period", pingPeriodMs);
        positive("ping timeout", pingTimeoutMs);
        if (firstProbeDelayMs < 0) throw new IllegalArgumentException("first probe delay must not be negative");
        positive("rewire period", rewirePeriodMs);
        positive("erase-hash period", eraseHashMs);
        positive("heartbeat period", heartbeatPeriodMs);
        if (heartbeatMisses < 1) throw new IllegalArgumentException("heartbeat misses must be at least 1");
        positive("tracker retry", trackerRetryMs);
        if (trackerRetryMaxMs < trackerRetryMs)
            throw new IllegalArgumentException("tracker retry max below tracker retry");
        positive("tracker refresh", trackerRefreshMs);
        positive("announce refresh", announceRefreshMs);
        if (dataTtl < 1) throw new IllegalArgumentException("data TTL must be at least 1");
        positive("data timeout", dataTimeoutMs);
        if (forgetAfterFailures < 1) throw new IllegalArgumentException("forgetAfterFailures must be at least 1");
        if (dataHoldMs < 0) throw new IllegalArgumentException("data hold must not be negative: " + dataHoldMs);
        if (!(rewireMinGainMs >= 0 && Double.isFinite(rewireMinGainMs)))
            throw new IllegalArgumentException("rewire min gain must be a finite value >= 0 ms: " + rewireMinGainMs);
        if (!(rewireMinGainFraction >= 0 && rewireMinGainFraction < 1))
            throw new IllegalArgumentException("rewire min gain fraction must be in [0, 1): " + rewireMinGainFraction);
        positive("direct link idle time", directLinkIdleMs);
        for (String f : features) {
            if (!f.matches("[a-z0-9-]+"))
                throw new IllegalArgumentException("bad feature name (want [a-z0-9-]+): " + f);
        }
    }

    private static void positive(String what, long v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive: " + v);
    }

    /** The seed's periods, k = 3, BR, heartbeat 500 ms x 3, tracker back-off 1 s doubling to 30 s, features hb+data. */
    public static NodeConfig defaults(NodeId self, String trackerHost, int trackerPort) {
        return new NodeConfig(
                self,
                trackerHost,
                trackerPort,
                3,
                "br",
                0.1,
                Seed.PING_PERIOD_MS,
                Seed.PING_TIMEOUT_MS,
                500,
                Seed.REWIRING_PERIOD_MS,
                Seed.ERASE_HASH_MS,
                500,
                3,
                1_000,
                30_000,
                5 * Seed.REWIRING_PERIOD_MS,
                5 * Seed.REWIRING_PERIOD_MS,
                DEFAULT_FEATURES,
                32,
                5_000,
                3,
                DEFAULT_DATA_HOLD_MS,
                DEFAULT_REWIRE_MIN_GAIN_MS,
                DEFAULT_REWIRE_MIN_GAIN_FRACTION,
                DEFAULT_DIRECT_LINK_IDLE_MS);
    }

    public boolean supports(String feature) {
        return features.contains(feature);
    }

    public NodeConfig withSelf(NodeId v) {
        return toBuilder().self(v).build();
    }

    public NodeConfig withTracker(String host, int port) {
        return toBuilder().trackerHost(host).trackerPort(port).build();
    }

    public NodeConfig withK(int v) {
        return toBuilder().k(v).build();
    }

    public NodeConfig withPolicy(String v) {
        return toBuilder().policy(v).build();
    }

    public NodeConfig withEpsilon(double v) {
        return toBuilder().epsilon(v).build();
    }

    public NodeConfig withPingPeriodMs(long v) {
        return toBuilder().pingPeriodMs(v).build();
    }

    public NodeConfig withPingTimeoutMs(long v) {
        return toBuilder().pingTimeoutMs(v).build();
    }

    public NodeConfig withFirstProbeDelayMs(long v) {
        return toBuilder().firstProbeDelayMs(v).build();
    }

    public NodeConfig withRewirePeriodMs(long v) {
        return toBuilder().rewirePeriodMs(v).build();
    }

    public NodeConfig withEraseHashMs(long v) {
        return toBuilder().eraseHashMs(v).build();
    }

    public NodeConfig withHeartbeatPeriodMs(long v) {
        return toBuilder().heartbeatPeriodMs(v).build();
    }

    public NodeConfig withHeartbeatMisses(int v) {
        return toBuilder().heartbeatMisses(v).build();
    }

    public NodeConfig withTrackerRetryMs(long first, long max) {
        return toBuilder().trackerRetryMs(first).trackerRetryMaxMs(max).build();
    }

    public NodeConfig withTrackerRefreshMs(long v) {
        return toBuilder().trackerRefreshMs(v).build();
    }

    public NodeConfig withAnnounceRefreshMs(long v) {
        return toBuilder().announceRefreshMs(v).build();
    }

    public NodeConfig withFeatures(List<String> v) {
        return toBuilder().features(v).build();
    }

    public NodeConfig withDataTtl(int v) {
        return toBuilder().dataTtl(v).build();
    }

    public NodeConfig withDataTimeoutMs(long v) {
        return toBuilder().dataTimeoutMs(v).build();
    }

    public NodeConfig withForgetAfterFailures(int v) {
        return toBuilder().forgetAfterFailures(v).build();
    }

    public NodeConfig withDataHoldMs(long v) {
        return toBuilder().dataHoldMs(v).build();
    }

    /** The {@code br} noise guard: re-wire only if C_i falls by more than max(ms, fraction x C_i). */
    public NodeConfig withRewireMinGain(double ms, double fraction) {
        return toBuilder().rewireMinGainMs(ms).rewireMinGainFraction(fraction).build();
    }

    /** How long an unused direct link stays open (and half of it: the keepalive period while in use). */
    public NodeConfig withDirectLinkIdleMs(long v) {
        return toBuilder().directLinkIdleMs(v).build();
    }

    /** A builder holding this configuration's values. */
    NodeConfigBuilder toBuilder() {
        return new NodeConfigBuilder(this);
    }
}
