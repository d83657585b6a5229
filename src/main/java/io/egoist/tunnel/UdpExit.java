package io.egoist.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The destination side of a UDP session: a local UDP socket connected to the exposed service; datagrams from
 * the session's source go to the service, the service's answers go back as UDP frames. Closed when idle.
 */
final class UdpExit implements TunnelNode.Flow {
    /** Datagrams held while the local socket is being set up. */
    static final int MAX_PENDING = 64;

    private static final byte[] NO_NAME = {};

    private final TunnelNode node;
    private final TunnelNode.FlowKey key;
    private final InetSocketAddress service;
    private final Channel socket;
    private ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private long lastNanos = System.nanoTime();
    private boolean closed;

    /** The first UDP frame of an unknown flow: open a session if the named UDP service is exposed. */
    static void open(TunnelNode node, TunnelNode.FlowKey key, Frames.Header h) {
        ByteBuf p = h.payload();
        int len = p.isReadable() ? p.getUnsignedByte(p.readerIndex()) : -1;
        if (len < 1 || p.readableBytes() < 1 + len) {
            node.malformed.incrementAndGet();
            return;
        }
        String name = Frames.text(p.slice(p.readerIndex() + 1, len));
        String why = node.refusal("udp:" + name);
        if (why == null && node.exitUdpSessions >= node.limits.exitUdpSessions())
            why = "busy: too many UDP sessions at the destination";
        if (why != null) {
            node.refuse(h, why);
            return;
        }
        Service s = node.exposed().stream()
                .filter(x -> x.name().equals(name))
                .findFirst()
                .orElseThrow();
        UdpExit e = new UdpExit(node, key, new InetSocketAddress(s.host(), s.port()));
        node.addFlow(key, e);
        node.exitUdpSessions++;
        e.onFrame(h);
    }

    private UdpExit(TunnelNode node, TunnelNode.FlowKey key, InetSocketAddress service) {
        this.node = node;
        this.key = key;
        this.service = service;
        this.socket = UdpSockets.bootstrap(node.loop, new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
                        fromService(d.content());
                    }
                })
                .bind(new InetSocketAddress(service.getAddress(), 0))
                .addListener(f -> ready(f.isSuccess()))
                .channel();
    }

    private void ready(boolean ok) {
        ArrayDeque<ByteBuf> q = pending;
        pending = null;
        if (!ok || closed) {
            q.forEach(ByteBuf::release);
            close("cannot open a UDP socket");
            return;
        }
        for (ByteBuf b : q)
            if (!node.out.writeDatagram(socket, new DatagramPacket(b, service)))
                node.droppedCongested.incrementAndGet();
    }

    @Override
    public void onFrame(Frames.Header h) {
        if (h.kind() != Frames.UDP || closed) return;
        ByteBuf p = h.payload();
        int skip = 1 + p.getUnsignedByte(p.readerIndex());
        if (p.readableBytes() < skip) return;
        lastNanos = System.nanoTime();
        ByteBuf data = p.retainedSlice(p.readerIndex() + skip, p.readableBytes() - skip);
        if (pending != null) {
            if (pending.size() < MAX_PENDING) pending.add(data);
            else data.release();
            return;
        }
        // one flush (sendmmsg on epoll) per burst; dropped if the socket's send queue is full
        if (!node.out.writeDatagram(socket, new DatagramPacket(data, service))) node.droppedCongested.incrementAndGet();
    }

    private void fromService(ByteBuf data) {
        lastNanos = System.nanoTime();
        if (data.readableBytes() > Frames.MAX_PAYLOAD - 1) return;
        node.send(Frames.udp(socket.alloc(), key.peer(), node.self, key.flow(), NO_NAME, data), key.peer(), true);
    }

    void sweep(long nowNanos) {
        if (nowNanos - lastNanos > node.limits.udpIdleMs() * 1_000_000) close("idle");
    }

    @Override
    public void close(String reason) {
        if (closed) return;
        closed = true;
        node.exitUdpSessions--;
        node.removeFlow(key, this);
        socket.close();
    }
}
