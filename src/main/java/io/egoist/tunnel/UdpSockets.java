package io.egoist.tunnel;

import io.egoist.runtime.Netty;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;

/**
 * How the tunnels' UDP sockets (a forward's listening socket, an exit's socket towards its service) are made: the
 * channel type of the node's loop, {@link Frames#UDP_BUFFER} socket buffers, {@link Frames#UDP_READS_PER_WAKEUP}
 * datagrams read per wake-up.
 *
 * <p>On epoll a socket reads up to {@link #DATAGRAMS_PER_RECVMMSG} datagrams per {@code recvmmsg} call: one receive
 * buffer holds that many slots of {@link Frames#MAX_PAYLOAD} bytes, so no datagram is ever cut short (a slot
 * smaller than the largest datagram would truncate it silently). The slots are released once the burst's
 * datagrams are copied into frames, so the 1 MiB buffer lives for one read. Writes are flushed once per burst
 * ({@link LinkWrites}), so several datagrams queued at once leave in one {@code sendmmsg} call. On NIO each
 * datagram is one {@code receive} and one {@code send}.
 */
final class UdpSockets {
    private UdpSockets() {}

    /** Datagrams one {@code recvmmsg} call reads at most (epoll): 16 slots of 64 KiB, a 1 MiB receive buffer. */
    static final int DATAGRAMS_PER_RECVMMSG = 16;

    /**
     * Datagrams waiting in a tunnel UDP socket's send queue (not yet taken by the kernel) beyond this make it
     * congested: a datagram for it is dropped and counted ({@link LinkWrites#writeDatagram}). On loopback the kernel
     * takes every datagram at once; the queue only grows where sending blocks (a slow interface).
     */
    static final int SEND_QUEUE_HIGH = 1024 * 1024;

    static final int SEND_QUEUE_LOW = 512 * 1024;

    /** A bootstrap for a tunnel UDP socket on {@code loop}, with {@code handler}. */
    static Bootstrap bootstrap(EventLoop loop, ChannelHandler handler) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Netty.datagramChannel(loop))
                .option(ChannelOption.SO_RCVBUF, Frames.UDP_BUFFER)
                .option(ChannelOption.SO_SNDBUF, Frames.UDP_BUFFER)
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(SEND_QUEUE_LOW, SEND_QUEUE_HIGH))
                .handler(handler);
        if (!Netty.isEpoll(loop)) return b.option(ChannelOption.RCVBUF_ALLOCATOR, Frames.udpReads());
        return b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, Frames.MAX_PAYLOAD)
                .option(
                        ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(DATAGRAMS_PER_RECVMMSG * Frames.MAX_PAYLOAD)
                                .maxMessagesPerRead(Frames.UDP_READS_PER_WAKEUP));
    }
}
