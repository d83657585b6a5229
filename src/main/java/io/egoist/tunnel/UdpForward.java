package io.egoist.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The source side of a UDP tunnel: a local UDP socket; each client address is a session (a flow id) whose
 * datagrams travel as UDP frames to the destination node and whose answers come back to that address.
 */
final class UdpForward extends Forward {
    private final Channel socket;
    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();
    private final byte[] name;

    UdpForward(TunnelNode node, long id, Spec spec) {
        super(node, id, spec);
        this.name = spec.service().getBytes(StandardCharsets.US_ASCII);
        ChannelFuture f = UdpSockets.bootstrap(node.loop, new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        fromClient(p);
                    }
                })
                .bind(spec.listen().host(), spec.listen().port());
        f.awaitUninterruptibly(); // never on the loop: see TunnelNode.addForward
        if (!f.isSuccess())
            throw new IllegalStateException(
                    "cannot listen on " + spec.listen() + ": " + f.cause().getMessage());
        socket = f.channel();
    }

    private final class Session implements TunnelNode.Flow {
        final InetSocketAddress client;
        final TunnelNode.FlowKey key;
        long lastNanos = System.nanoTime();

        Session(InetSocketAddress client) {
            this.client = client;
            this.key = new TunnelNode.FlowKey(spec.to(), FlowModes.newFlowId(spec.mode()));
        }

        @Override
        public void onFrame(Frames.Header h) {
            if (h.kind() == Frames.REFUSE) {
                refused(Frames.text(h.payload()));
                close("refused");
                return;
            }
            if (h.kind() != Frames.UDP) return;
            ByteBuf p = h.payload();
            if (!p.isReadable() || p.readableBytes() < 1 + p.getUnsignedByte(p.readerIndex())) return;
            int skip = 1 + p.getUnsignedByte(p.readerIndex());
            ByteBuf data = p.retainedSlice(p.readerIndex() + skip, p.readableBytes() - skip);
            lastNanos = System.nanoTime();
            int n = data.readableBytes();
            // one flush (sendmmsg on epoll) per burst; dropped if the socket's send queue is full
            if (node.out.writeDatagram(socket, new DatagramPacket(data, client))) {
                packetsOut.incrementAndGet();
                bytesOut.addAndGet(n);
            } else {
                dropped.incrementAndGet();
            }
        }

        @Override
        public void close(String reason) {
            sessions.remove(client, this);
            node.removeFlow(key, this);
        }
    }

    private void fromClient(DatagramPacket p) {
        Session s = sessions.get(p.sender());
        ByteBuf data = p.content();
        if (s == null) {
            if (sessions.size() >= node.limits.udpSessions()) {
                dropped.incrementAndGet();
                return;
            }
            s = new Session(p.sender());
            sessions.put(p.sender(), s);
            node.addFlow(s.key, s);
            opened.incrementAndGet();
        }
        s.lastNanos = System.nanoTime();
        packetsIn.incrementAndGet();
        bytesIn.addAndGet(data.readableBytes());
        if (data.readableBytes() > Frames.MAX_PAYLOAD - 1 - name.length) {
            dropped.incrementAndGet();
            return;
        }
        ByteBuf frame = Frames.udp(socket.alloc(), spec.to(), node.self, s.key.flow(), name, data);
        if (node.send(frame, spec.to(), true) != TunnelNode.Sent.OK) dropped.incrementAndGet();
    }

    @Override
    void sweep(long nowNanos) {
        long idle = node.limits.udpIdleMs() * 1_000_000;
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (nowNanos - s.lastNanos > idle) {
                it.remove();
                node.removeFlow(s.key, s);
            }
        }
    }

    /** The forward's local UDP socket (tests). */
    Channel socket() {
        return socket;
    }

    @Override
    String boundAddress() {
        InetSocketAddress a = (InetSocketAddress) socket.localAddress();
        return "udp:" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    int active() {
        return sessions.size();
    }

    @Override
    void close() {
        for (Session s : sessions.values()) node.removeFlow(s.key, s);
        sessions.clear();
        socket.close();
    }
}
