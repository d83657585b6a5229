package io.egoist.tunnel;

/**
 * The bounds of a node's tunnels (docs/TUNNELS.md lists what a user sees when each bites).
 *
 * @param maxForwards        forwards on this node; one more: POST /forwards answers 429
 * @param udpSessions        client addresses per UDP forward; a datagram from one more is dropped (counted)
 * @param exitUdpSessions    UDP sessions this node holds towards its exposed services; more: datagrams dropped
 * @param udpIdleMs          a UDP session with no datagram either way for this long is closed
 * @param tcpStreams         TCP streams this node holds (both ends); one more: the connection is closed at once
 * @param streamWindowBytes  bytes a stream's sender may have in flight before the receiver acknowledges them (also
 *                           the bound of each stream end's retransmission buffer, plus one read from the application)
 * @param streamTimeoutMs    a stream that hears nothing from its far end for this long (no path, or the far node is
 *                           gone) is ended: both ends close their application connections (node option
 *                           {@code --stream-timeout})
 */
public record TunnelLimits(
        int maxForwards,
        int udpSessions,
        int exitUdpSessions,
        long udpIdleMs,
        int tcpStreams,
        int streamWindowBytes,
        long streamTimeoutMs) {
    /** Default {@link #streamTimeoutMs}: longer than any re-wiring after a relay's death. */
    public static final long DEFAULT_STREAM_TIMEOUT_MS = 30_000;

    public static final TunnelLimits DEFAULTS =
            new TunnelLimits(64, 256, 1024, 60_000, 1024, 256 * 1024, DEFAULT_STREAM_TIMEOUT_MS);

    public TunnelLimits {
        if (maxForwards < 1 || udpSessions < 1 || exitUdpSessions < 1 || udpIdleMs < 1 || tcpStreams < 1)
            throw new IllegalArgumentException("tunnel limits must be positive");
        if (streamWindowBytes < 16 * 1024) throw new IllegalArgumentException("stream window below 16 KiB");
        if (streamTimeoutMs < 100 || streamTimeoutMs > 86_400_000L)
            throw new IllegalArgumentException("stream timeout must be 0.1 s .. 1 day, not " + streamTimeoutMs + " ms");
    }

    /** The limits as before {@code streamTimeoutMs} existed: that one at its default. */
    public TunnelLimits(
            int maxForwards,
            int udpSessions,
            int exitUdpSessions,
            long udpIdleMs,
            int tcpStreams,
            int streamWindowBytes) {
        this(
                maxForwards,
                udpSessions,
                exitUdpSessions,
                udpIdleMs,
                tcpStreams,
                streamWindowBytes,
                DEFAULT_STREAM_TIMEOUT_MS);
    }

    public TunnelLimits withStreamTimeoutMs(long v) {
        return new TunnelLimits(maxForwards, udpSessions, exitUdpSessions, udpIdleMs, tcpStreams, streamWindowBytes, v);
    }
}
