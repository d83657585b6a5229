package io.egoist.node.runtime;

/**
 * Limits of a node's main (data) port, enforced by {@link DataPortGuard} (defaults in brackets): at most
 * {@code maxConnections} [512] accepted connections in all and {@code maxPerAddress} [64] from one IP address
 * (beyond: {@code NACK@busy} and close); a connection that is not a peer's link is closed after
 * {@code idleTimeoutMs} [60 s] without a line.
 */
public final class DataPortLimits {
    public static final int DEFAULT_MAX_CONNECTIONS = 512;
    public static final int DEFAULT_MAX_PER_ADDRESS = 64;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

    int maxConnections = DEFAULT_MAX_CONNECTIONS;
    int maxPerAddress = DEFAULT_MAX_PER_ADDRESS;
    long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;

    /** Accepted connections in all / from one IP address; beyond: NACK@busy and close. */
    public DataPortLimits maxConnections(int total, int perAddress) {
        if (total < 1 || perAddress < 1)
            throw new IllegalArgumentException("data port caps must be at least 1: " + total + "/" + perAddress);
        maxConnections = total;
        maxPerAddress = perAddress;
        return this;
    }

    /** Close a connection that is not a peer's link after this long without a line (ms, > 0). */
    public DataPortLimits idleTimeoutMs(long v) {
        if (v <= 0) throw new IllegalArgumentException("data port idle timeout must be positive: " + v);
        idleTimeoutMs = v;
        return this;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxPerAddress() {
        return maxPerAddress;
    }

    public long idleTimeoutMs() {
        return idleTimeoutMs;
    }
}
