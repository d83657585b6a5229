package io.egoist.node;

import io.egoist.wire.NodeId;
import java.util.List;

/** Changes some values of a {@link NodeConfig} (its {@code with...} methods); the record validates on build. */
final class NodeConfigBuilder {
    private NodeId self;
    private String trackerHost;
    private int trackerPort;
    private int k;
    private String policy;
    private double epsilon;
    private long pingPeriodMs;
    private long pingTimeoutMs;
    private long firstProbeDelayMs;
    private long rewirePeriodMs;
    private long eraseHashMs;
    private long heartbeatPeriodMs;
    private int heartbeatMisses;
    private long trackerRetryMs;
    private long trackerRetryMaxMs;
    private long trackerRefreshMs;
    private long announceRefreshMs;
    private List<String> features;
    private int dataTtl;
    private long dataTimeoutMs;
    private int forgetAfterFailures;
    private long dataHoldMs;
    private double rewireMinGainMs;
    private double rewireMinGainFraction;
    private long directLinkIdleMs;

    NodeConfigBuilder(NodeConfig c) {
        this.self = c.self();
        this.trackerHost = c.trackerHost();
        this.trackerPort = c.trackerPort();
        this.k = c.k();
        this.policy = c.policy();
        this.epsilon = c.epsilon();
        this.pingPeriodMs = c.pingPeriodMs();
        this.pingTimeoutMs = c.pingTimeoutMs();
        this.firstProbeDelayMs = c.firstProbeDelayMs();
        this.rewirePeriodMs = c.rewirePeriodMs();
        this.eraseHashMs = c.eraseHashMs();
        this.heartbeatPeriodMs = c.heartbeatPeriodMs();
        this.heartbeatMisses = c.heartbeatMisses();
        this.trackerRetryMs = c.trackerRetryMs();
        this.trackerRetryMaxMs = c.trackerRetryMaxMs();
        this.trackerRefreshMs = c.trackerRefreshMs();
        this.announceRefreshMs = c.announceRefreshMs();
        this.features = c.features();
        this.dataTtl = c.dataTtl();
        this.dataTimeoutMs = c.dataTimeoutMs();
        this.forgetAfterFailures = c.forgetAfterFailures();
        this.dataHoldMs = c.dataHoldMs();
        this.rewireMinGainMs = c.rewireMinGainMs();
        this.rewireMinGainFraction = c.rewireMinGainFraction();
        this.directLinkIdleMs = c.directLinkIdleMs();
    }

    NodeConfigBuilder self(NodeId v) {
        this.self = v;
        return this;
    }

    NodeConfigBuilder trackerHost(String v) {
        this.trackerHost = v;
        return this;
    }

    NodeConfigBuilder trackerPort(int v) {
        this.trackerPort = v;
        return this;
    }

    NodeConfigBuilder k(int v) {
        this.k = v;
        return this;
    }

    NodeConfigBuilder policy(String v) {
        this.policy = v;
        return this;
    }

    NodeConfigBuilder epsilon(double v) {
        this.epsilon = v;
        return this;
    }

    NodeConfigBuilder pingPeriodMs(long v) {
        this.pingPeriodMs = v;
        return this;
    }

    NodeConfigBuilder pingTimeoutMs(long v) {
        this.pingTimeoutMs = v;
        return this;
    }

    NodeConfigBuilder firstProbeDelayMs(long v) {
        this.firstProbeDelayMs = v;
        return this;
    }

    NodeConfigBuilder rewirePeriodMs(long v) {
        this.rewirePeriodMs = v;
        return this;
    }

    NodeConfigBuilder eraseHashMs(long v) {
        this.eraseHashMs = v;
        return this;
    }

    NodeConfigBuilder heartbeatPeriodMs(long v) {
        this.heartbeatPeriodMs = v;
        return this;
    }

    NodeConfigBuilder heartbeatMisses(int v) {
        this.heartbeatMisses = v;
        return this;
    }

    NodeConfigBuilder trackerRetryMs(long v) {
        this.trackerRetryMs = v;
        return this;
    }

    NodeConfigBuilder trackerRetryMaxMs(long v) {
        this.trackerRetryMaxMs = v;
        return this;
    }

    NodeConfigBuilder trackerRefreshMs(long v) {
        this.trackerRefreshMs = v;
        return this;
    }

    NodeConfigBuilder announceRefreshMs(long v) {
        this.announceRefreshMs = v;
        return this;
    }

    NodeConfigBuilder features(List<String> v) {
        this.features = v;
        return this;
    }

    NodeConfigBuilder dataTtl(int v) {
        this.dataTtl = v;
        return this;
    }

    NodeConfigBuilder dataTimeoutMs(long v) {
        this.dataTimeoutMs = v;
        return this;
    }

    NodeConfigBuilder forgetAfterFailures(int v) {
        this.forgetAfterFailures = v;
        return this;
    }

    NodeConfigBuilder dataHoldMs(long v) {
        this.dataHoldMs = v;
        return this;
    }

    NodeConfigBuilder rewireMinGainMs(double v) {
        this.rewireMinGainMs = v;
        return this;
    }

    NodeConfigBuilder rewireMinGainFraction(double v) {
        this.rewireMinGainFraction = v;
        return this;
    }

    NodeConfigBuilder directLinkIdleMs(long v) {
        this.directLinkIdleMs = v;
        return this;
    }

    NodeConfig build() {
        return new NodeConfig(
                self,
                trackerHost,
                trackerPort,
                k,
                policy,
                epsilon,
                pingPeriodMs,
                pingTimeoutMs,
                firstProbeDelayMs,
                rewirePeriodMs,
                eraseHashMs,
                heartbeatPeriodMs,
                heartbeatMisses,
                trackerRetryMs,
                trackerRetryMaxMs,
                trackerRefreshMs,
                announceRefreshMs,
                features,
                dataTtl,
                dataTimeoutMs,
                forgetAfterFailures,
                dataHoldMs,
                rewireMinGainMs,
                rewireMinGainFraction,
                directLinkIdleMs);
    }
}
