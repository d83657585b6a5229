package io.egoist.tracker;

import java.util.Objects;

/**
 * The tracker's connection and HTTP limits (its other settings are in {@link TrackerConfig}), with defaults.
 *
 * @param httpBind                  address the HTTP server listens on (default 127.0.0.1: not exposed unless asked)
 * @param maxConnectionsPerAddress  open line connections from one remote address; one more gets
 *                                  {@code NACK@busy: too many connections from your address (N)} and is closed
 * @param firstLineTimeoutMs        a line connection whose first complete line has not arrived this long after
 *                                  it was accepted gets {@code NACK@timeout: no complete line within N ms} and is
 *                                  closed
 * @param stallCloseMs              a connection more than 256 KB behind in reading its replies, whose unwritten
 *                                  output has not shrunk for this long, is closed and its output dropped
 * @param sharedReplyBytes          REG reply lines are encoded once and shared by all clients, up to this many
 *                                  bytes cached
 * @param httpMaxConnections        open HTTP connections; one more gets {@code 503} and is closed
 * @param httpIdleTimeoutMs         an HTTP connection with no request and no output progress this long is closed
 * @param overlayMinIntervalMs      {@code /api/overlay} is served from a snapshot at most this old
 * @param overlayBytesPerSecond     {@code /api/overlay} bodies served per second, all clients together (a budget: a
 *                                  response beyond it waits its turn, up to {@link OverlayBudget#MAX_WAIT_MS}, then
 *                                  gets {@code 503} with {@code Retry-After}); {@code 304}s cost nothing
 */
public record TrackerNetConfig(
        String httpBind,
        int maxConnectionsPerAddress,
        long firstLineTimeoutMs,
        long stallCloseMs,
        long sharedReplyBytes,
        int httpMaxConnections,
        long httpIdleTimeoutMs,
        long overlayMinIntervalMs,
        long overlayBytesPerSecond) {

    public static final String DEFAULT_HTTP_BIND = "127.0.0.1";
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
    public static final long DEFAULT_FIRST_LINE_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_STALL_CLOSE_MS = 10_000;
    public static final long DEFAULT_SHARED_REPLY_BYTES = 64L << 20;
    public static final int DEFAULT_HTTP_MAX_CONNECTIONS = 128;
    public static final long DEFAULT_HTTP_IDLE_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_OVERLAY_MIN_INTERVAL_MS = 500;
    /** Whole-overlay bytes served per second, all HTTP clients together (the protocol comes first). */
    public static final long DEFAULT_OVERLAY_BYTES_PER_SECOND = 8L << 20;
    /** Lines at least this long are shared (REG replies; NACKs and short replies are not worth caching). */
    public static final int SHARED_LINE_MIN_CHARS = 512;

    public TrackerNetConfig {
        Objects.requireNonNull(httpBind, "httpBind");
        if (httpBind.isBlank()) throw new IllegalArgumentException("http bind address must not be empty");
        if (maxConnectionsPerAddress < 1)
            throw new IllegalArgumentException("max connections per address must be at least 1");
        if (firstLineTimeoutMs <= 0) throw new IllegalArgumentException("first-line timeout must be positive");
        if (stallCloseMs <= 0) throw new IllegalArgumentException("stall timeout must be positive");
        if (sharedReplyBytes < 0) throw new IllegalArgumentException("shared reply bytes must be >= 0");
        if (httpMaxConnections < 1) throw new IllegalArgumentException("max HTTP connections must be at least 1");
        if (httpIdleTimeoutMs <= 0) throw new IllegalArgumentException("HTTP idle timeout must be positive");
        if (overlayMinIntervalMs < 0) throw new IllegalArgumentException("overlay interval must be >= 0");
        if (overlayBytesPerSecond < 1) throw new IllegalArgumentException("overlay bytes per second must be positive");
    }

    public static TrackerNetConfig defaults() {
        return new TrackerNetConfig(
                DEFAULT_HTTP_BIND,
                DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                DEFAULT_FIRST_LINE_TIMEOUT_MS,
                DEFAULT_STALL_CLOSE_MS,
                DEFAULT_SHARED_REPLY_BYTES,
                DEFAULT_HTTP_MAX_CONNECTIONS,
                DEFAULT_HTTP_IDLE_TIMEOUT_MS,
                DEFAULT_OVERLAY_MIN_INTERVAL_MS,
                DEFAULT_OVERLAY_BYTES_PER_SECOND);
    }

    public TrackerNetConfig withHttpBind(String v) {
        return new TrackerNetConfig(
                v,
                maxConnectionsPerAddress,
                firstLineTimeoutMs,
                stallCloseMs,
                sharedReplyBytes,
                httpMaxConnections,
                httpIdleTimeoutMs,
                overlayMinIntervalMs,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withMaxConnectionsPerAddress(int v) {
        return new TrackerNetConfig(
                httpBind,
                v,
                firstLineTimeoutMs,
                stallCloseMs,
                sharedReplyBytes,
                httpMaxConnections,
                httpIdleTimeoutMs,
                overlayMinIntervalMs,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withFirstLineTimeoutMs(long v) {
        return new TrackerNetConfig(
                httpBind,
                maxConnectionsPerAddress,
                v,
                stallCloseMs,
                sharedReplyBytes,
                httpMaxConnections,
                httpIdleTimeoutMs,
                overlayMinIntervalMs,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withStallCloseMs(long v) {
        return new TrackerNetConfig(
                httpBind,
                maxConnectionsPerAddress,
                firstLineTimeoutMs,
                v,
                sharedReplyBytes,
                httpMaxConnections,
                httpIdleTimeoutMs,
                overlayMinIntervalMs,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withHttpMaxConnections(int v) {
        return new TrackerNetConfig(
                httpBind,
                maxConnectionsPerAddress,
                firstLineTimeoutMs,
                stallCloseMs,
                sharedReplyBytes,
                v,
                httpIdleTimeoutMs,
                overlayMinIntervalMs,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withHttpIdleTimeoutMs(long v) {
        return new TrackerNetConfig(
                httpBind,
                maxConnectionsPerAddress,
                firstLineTimeoutMs,
                stallCloseMs,
                sharedReplyBytes,
                httpMaxConnections,
                v,
                overlayMinIntervalMs,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withOverlayMinIntervalMs(long v) {
        return new TrackerNetConfig(
                httpBind,
                maxConnectionsPerAddress,
                firstLineTimeoutMs,
                stallCloseMs,
                sharedReplyBytes,
                httpMaxConnections,
                httpIdleTimeoutMs,
                v,
                overlayBytesPerSecond);
    }

    public TrackerNetConfig withOverlayBytesPerSecond(long v) {
        return new TrackerNetConfig(
                httpBind,
                maxConnectionsPerAddress,
                firstLineTimeoutMs,
                stallCloseMs,
                sharedReplyBytes,
                httpMaxConnections,
                httpIdleTimeoutMs,
                overlayMinIntervalMs,
                v);
    }
}
