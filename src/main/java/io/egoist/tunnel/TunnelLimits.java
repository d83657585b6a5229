package io.egoist.tunnel;

/**
 * The bounds of a node's tunnels (docs/TUNNELS.md lists what a user sees when each bites).
 *
 * @param maxForwards        forwards on this node; one more: POST /forwards answers 429
 * @param udpSessions        client addresses per UDP forward; a datagram from one more is dropped (counted)
 * @param exitUdpSessions    UDP sessions this node holds towards its exposed services; more: datagrams dropped
 * @param udpIdleMs          a UDP session with no datagram either way for this long is closed
 * @param tcpStreams         TCP streams this node holds (both ends); one more: the connection is closed at once
 * @param streamWindowBytes  bytes a stream's sender may have in flight before the receiver acknowledges them
 */
public record TunnelLimits(
        int maxForwards, int udpSessions, int exitUdpSessions, long udpIdleMs, int tcpStreams, int streamWindowBytes) {
    public static final TunnelLimits DEFAULTS = new TunnelLimits(64, 256, 1024, 60_000, 1024, 256 * 1024);

    public TunnelLimits {
        if (maxForwards < 1 || udpSessions < 1 || exitUdpSessions < 1 || udpIdleMs < 1 || tcpStreams < 1)
            throw new IllegalArgumentException("tunnel limits must be positive");
        if (streamWindowBytes < 16 * 1024) throw new IllegalArgumentException("stream window below 16 KiB");
    }
}
