package io.egoist.tunnel;

/**
 * The bounds of a node's tunnels (docs/TUNNELS.md lists what a user sees when each bites).
 *
 * @param maxForwards        forwards on this node; one more: POST /forwards answers 429
 * @param udpSessions        client addresses per UDP forward; a datagram from one more is dropped (counted)
 * @param exitUdpSessions    UDP sessions this node holds towards its exposed services; more: datagrams dropped
 * @param udpIdleMs          a UDP session with no datagram either way for this long is closed
 * @param tcpStreams         TCP streams this node holds (both ends); one more: the connection is closed at once
 * @param streamWindowBytes  the most bytes one stream's sender may have in flight before the receiver acknowledges
 *                           them (also the bound of each stream end's retransmission buffer, plus one read from the
 *                           application); a receiver drops bytes beyond it
 * @param streamTimeoutMs    a stream that hears nothing from its far end for this long (no path, or the far node is
 *                           gone) is ended: both ends close their application connections (node option
 *                           {@code --stream-timeout})
 * @param streamBufferBytes  the bytes all of this node's streams together may hold: as senders, each stream's window
 *                           is this budget shared by the open streams ({@link #streamWindow}), never above {@code
 *                           streamWindowBytes}; as receivers, bytes waiting for the applications beyond it are dropped
 *                           (the sender sends them again)
 */
public record TunnelLimits(
        int maxForwards,
        int udpSessions,
        int exitUdpSessions,
        long udpIdleMs,
        int tcpStreams,
        int streamWindowBytes,
        long streamTimeoutMs,
        long streamBufferBytes) {
    /** Default {@link #streamTimeoutMs}: longer than any re-wiring after a relay's death. */
    public static final long DEFAULT_STREAM_TIMEOUT_MS = 30_000;

    /**
     * Default {@link #streamWindowBytes}. A path of several hops holds a window's worth in its socket buffers and link
     * queues: with 256 KiB a stream through two relays on loopback waited for acknowledgements and ran at about 0.7
     * of the rate it reached with 1 MiB (docs/TUNNELS.md, figures).
     */
    public static final int DEFAULT_STREAM_WINDOW = 1024 * 1024;

    /** Default {@link #streamBufferBytes}: 64 streams at the full window, 1,024 (the stream limit) at 64 KiB each. */
    public static final long DEFAULT_STREAM_BUFFER = 64L * 1024 * 1024;

    public static final TunnelLimits DEFAULTS = new TunnelLimits(
            64, 256, 1024, 60_000, 1024, DEFAULT_STREAM_WINDOW, DEFAULT_STREAM_TIMEOUT_MS, DEFAULT_STREAM_BUFFER);

    public TunnelLimits {
        if (maxForwards < 1 || udpSessions < 1 || exitUdpSessions < 1 || udpIdleMs < 1 || tcpStreams < 1)
            throw new IllegalArgumentException("tunnel limits must be positive");
        if (streamWindowBytes < 16 * 1024) throw new IllegalArgumentException("stream window below 16 KiB");
        if (streamTimeoutMs < 100 || streamTimeoutMs > 86_400_000L)
            throw new IllegalArgumentException("stream timeout must be 0.1 s .. 1 day, not " + streamTimeoutMs + " ms");
        if (streamBufferBytes < streamWindowBytes)
            throw new IllegalArgumentException("stream buffer below one stream window");
    }

    /**
     * The limits as before {@code streamTimeoutMs} and {@code streamBufferBytes} existed: the timeout at its default,
     * the buffer at its default (or one window, if the window is larger).
     */
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
                DEFAULT_STREAM_TIMEOUT_MS,
                Math.max(DEFAULT_STREAM_BUFFER, streamWindowBytes));
    }

    public TunnelLimits withStreamTimeoutMs(long v) {
        return new TunnelLimits(
                maxForwards,
                udpSessions,
                exitUdpSessions,
                udpIdleMs,
                tcpStreams,
                streamWindowBytes,
                v,
                streamBufferBytes);
    }

    public TunnelLimits withStreamBuffer(int windowBytes, long bufferBytes) {
        return new TunnelLimits(
                maxForwards,
                udpSessions,
                exitUdpSessions,
                udpIdleMs,
                tcpStreams,
                windowBytes,
                streamTimeoutMs,
                bufferBytes);
    }

    /**
     * A sending stream's window while {@code openStreams} streams are open on the node: an equal share of {@link
     * #streamBufferBytes}, at most {@link #streamWindowBytes}, at least 16 KiB (so a stream always moves).
     */
    public int streamWindow(int openStreams) {
        long share = streamBufferBytes / Math.max(1, openStreams);
        return (int) Math.max(16 * 1024, Math.min(streamWindowBytes, share));
    }
}
