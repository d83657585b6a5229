package io.egoist.tracker;

import io.egoist.wire.Seed;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The tracker's configuration, built once (from the CLI or a test) with the seed's defaults.
 *
 * @param bindHost        address the tracker and its HTTP server listen on
 * @param port            the tracker's TCP port (0 = ephemeral)
 * @param dataDir         directory of the SQLite database
 * @param httpPort        HTTP port for /api/overlay, /healthz, /metrics (0 = ephemeral, -1 = no HTTP)
 * @param removePeriodMs  period of the removal sweep (seed: REMOVE_PERIOD)
 * @param expireAfterMs   a node silent (no REG/UPT) longer than this is removed at the next sweep
 * @param pingTimeoutMs   how long a suspect's echo port has to answer a probe (seed: PING_TIMEOUT)
 * @param idleTimeoutMs   a connection that sent no line for this long is closed by the tracker
 * @param maxConnections  open connections beyond this many get {@code NACK@busy} and are closed
 * @param maxNodes        a REG of a new node beyond this many nodes gets {@code NACK@full} (known nodes still rejoin)
 * @param maxLinks        a UPT that would take the overlay beyond this many links gets {@code NACK@full}
 * @param maxRegsPerConnection REG requests served on one connection; the next one gets {@code NACK@busy}
 * @param rules           the protocol rules against forged ids and REG floods ({@link TrackerRules})
 */
public record TrackerConfig(
        String bindHost,
        int port,
        Path dataDir,
        int httpPort,
        long removePeriodMs,
        long expireAfterMs,
        long pingTimeoutMs,
        long idleTimeoutMs,
        int maxConnections,
        int maxNodes,
        int maxLinks,
        int maxRegsPerConnection,
        TrackerRules rules) {

    public static final String DEFAULT_BIND = "0.0.0.0";
    public static final Path DEFAULT_DATA_DIR = Path.of("egoist-tracker-data");
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final long DEFAULT_EXPIRE_AFTER_MS = 3 * Seed.REWIRING_PERIOD_MS;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 120_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_NODES = 100_000;
    public static final int DEFAULT_MAX_LINKS = 1_000_000;
    public static final int DEFAULT_MAX_REGS_PER_CONNECTION = 8;

    public TrackerConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (httpPort < -1 || httpPort > 65535)
            throw new IllegalArgumentException("http port out of range: " + httpPort);
        if (removePeriodMs <= 0) throw new IllegalArgumentException("remove period must be positive");
        if (expireAfterMs <= 0) throw new IllegalArgumentException("expire-after must be positive");
        if (pingTimeoutMs <= 0) throw new IllegalArgumentException("ping timeout must be positive");
        if (idleTimeoutMs <= 0) throw new IllegalArgumentException("idle timeout must be positive");
        if (maxConnections < 1) throw new IllegalArgumentException("max connections must be at least 1");
        if (maxNodes < 1) throw new IllegalArgumentException("max nodes must be at least 1");
        if (maxLinks < 1) throw new IllegalArgumentException("max links must be at least 1");
        if (maxRegsPerConnection < 1) throw new IllegalArgumentException("max REGs per connection must be at least 1");
    }

    /** The timing settings with the default limits (idle timeout, connection, node and per-connection caps). */
    public TrackerConfig(
            String bindHost,
            int port,
            Path dataDir,
            int httpPort,
            long removePeriodMs,
            long expireAfterMs,
            long pingTimeoutMs) {
        this(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                DEFAULT_IDLE_TIMEOUT_MS,
                DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_NODES,
                DEFAULT_MAX_LINKS,
                DEFAULT_MAX_REGS_PER_CONNECTION,
                TrackerRules.DEFAULTS);
    }

    /** The seed's values: port 61223, REMOVE_PERIOD 50 s, expiry 3 x REWIRING_PERIOD, PING_TIMEOUT 3 s. */
    public static TrackerConfig defaults() {
        return new TrackerConfig(
                DEFAULT_BIND,
                Seed.BOOTSTRAP_PORT,
                DEFAULT_DATA_DIR,
                DEFAULT_HTTP_PORT,
                Seed.REMOVE_PERIOD_MS,
                DEFAULT_EXPIRE_AFTER_MS,
                Seed.PING_TIMEOUT_MS);
    }

    /** Loopback, ephemeral ports, the given data directory and short periods: for tests and the bench. */
    public static TrackerConfig forTest(Path dataDir) {
        return new TrackerConfig("127.0.0.1", 0, dataDir, 0, 500, 5_000, 300);
    }

    /**
     * How often the core looks for idle connections: a quarter of the idle timeout (so a connection is closed
     * between 1 and 1.25 idle timeouts after its last line), at least 1 ms.
     */
    public long idleSweepPeriodMs() {
        return Math.max(1, idleTimeoutMs / 4);
    }

    public TrackerConfig withBindHost(String v) {
        return new TrackerConfig(
                v,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withPort(int v) {
        return new TrackerConfig(
                bindHost,
                v,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withDataDir(Path v) {
        return new TrackerConfig(
                bindHost,
                port,
                v,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withHttpPort(int v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                v,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withRemovePeriodMs(long v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                v,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withExpireAfterMs(long v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                v,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withPingTimeoutMs(long v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                v,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withIdleTimeoutMs(long v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                v,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withMaxConnections(int v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                v,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withMaxNodes(int v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                v,
                maxLinks,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withMaxLinks(int v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                v,
                maxRegsPerConnection,
                rules);
    }

    public TrackerConfig withMaxRegsPerConnection(int v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                v,
                rules);
    }

    public TrackerConfig withRules(TrackerRules v) {
        return new TrackerConfig(
                bindHost,
                port,
                dataDir,
                httpPort,
                removePeriodMs,
                expireAfterMs,
                pingTimeoutMs,
                idleTimeoutMs,
                maxConnections,
                maxNodes,
                maxLinks,
                maxRegsPerConnection,
                v);
    }

    /** Accept ids whose address is not the sender's (deployments behind proxies, load generators, tests). */
    public TrackerConfig withAllowForeignIds(boolean v) {
        return withRules(rules.withAllowForeignIds(v));
    }
}
