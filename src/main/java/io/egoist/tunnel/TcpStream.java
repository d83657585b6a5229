package io.egoist.tunnel;

import io.egoist.runtime.Netty;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a TCP stream through the overlay: the application's connection on this node (accepted by a
 * {@link TcpForward}, or opened to an exposed service), and the far end's node and flow id. Bytes travel as DATA
 * frames with their stream offset; the receiver acknowledges what it wrote to its application (ACK), and the
 * sender stops reading its application while a window's worth is unacknowledged or its next hop is congested.
 * So a stream holds at most one window in the network and at the receiver, whatever the application does.
 * Loop-confined.
 */
final class TcpStream extends ChannelInboundHandlerAdapter implements TunnelNode.Flow {
    private static final Logger log = LoggerFactory.getLogger(TcpStream.class);

    /** Largest DATA payload. */
    static final int CHUNK = 16 * 1024;

    private final TunnelNode node;
    private final TunnelNode.FlowKey key;
    private final TcpForward forward; // null at the service's end
    private Channel app;
    private boolean accepted;
    private boolean closed;
    private boolean waitingForHop;
    private long sent, acked, received, delivered, ackSent;

    private TcpStream(TunnelNode node, TunnelNode.FlowKey key, TcpForward forward) {
        this.node = node;
        this.key = key;
        this.forward = forward;
        node.addFlow(key, this);
        node.tcpStreams++;
    }

    /** A connection accepted by a forward: ask the destination to open the stream. */
    static TcpStream source(TunnelNode node, TcpForward f, Channel app) {
        TcpStream s = new TcpStream(node, new TunnelNode.FlowKey(f.spec.to(), TunnelNode.newFlowId()), f);
        s.app = app;
        app.pipeline().addLast(s);
        if (node.control(Frames.OPEN, f.spec.to(), s.key.flow(), 0, f.spec.service()) != TunnelNode.Sent.OK)
            s.close("no route to " + f.spec.to());
        return s;
    }

    /** An OPEN for an exposed TCP service: connect to it, then ACCEPT (or REFUSE when it cannot be reached). */
    static void exit(TunnelNode node, TunnelNode.FlowKey key, Service service) {
        TcpStream s = new TcpStream(node, key, null);
        new Bootstrap()
                .group(node.loop)
                .channel(Netty.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .option(ChannelOption.AUTO_READ, true)
                .handler(s)
                .connect(new InetSocketAddress(service.host(), service.port()))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        String why = "cannot connect to service '" + service.name() + "' at " + node.self + ": "
                                + f.cause().getMessage();
                        s.closed = true;
                        s.release();
                        node.refusedIn.incrementAndGet();
                        log.info("event=tunnel_refused node={} from={} reason=\"{}\"", node.self, key.peer(), why);
                        node.control(Frames.REFUSE, key.peer(), key.flow(), 0, why);
                        return;
                    }
                    s.app = f.channel();
                    if (s.closed) {
                        s.app.close();
                        return;
                    }
                    s.accepted = true;
                    node.control(Frames.ACCEPT, key.peer(), key.flow(), 0, "");
                });
    }

    // ---------------------------------------------------------------- the application's side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (closed) return;
            while (in.isReadable()) {
                int n = Math.min(CHUNK, in.readableBytes());
                ByteBuf head = Frames.header(ctx.alloc(), Frames.DATA, key.peer(), node.self, key.flow(), sent, n);
                ByteBuf frame = Unpooled.wrappedBuffer(head, in.readRetainedSlice(n));
                if (node.send(frame, key.peer(), false) != TunnelNode.Sent.OK) {
                    close("no route to " + key.peer());
                    return;
                }
                sent += n;
                if (forward != null) {
                    forward.packetsIn.incrementAndGet();
                    forward.bytesIn.addAndGet(n);
                }
            }
            throttle();
        } finally {
            in.release();
        }
    }

    /** Stops reading the application while the window is full or the next hop congested. */
    private void throttle() {
        if (closed) return;
        boolean windowFull = sent - acked >= node.limits.streamWindowBytes();
        Channel hop = node.outTo(key.peer());
        boolean hopFull = hop != null && !hop.isWritable();
        app.config().setAutoRead(!windowFull && !hopFull);
        if (hopFull && !waitingForHop) {
            waitingForHop = true;
            node.whenWritable(hop, () -> {
                waitingForHop = false;
                throttle();
            });
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closed) {
            node.control(Frames.CLOSE, key.peer(), key.flow(), sent, "");
            closed = true;
            release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("event=tunnel_app_error node={} flow={} reason={}", node.self, key.flow(), cause.toString());
        ctx.close();
    }

    // ---------------------------------------------------------------- the far end's frames

    @Override
    public void onFrame(Frames.Header h) {
        if (closed) return;
        switch (h.kind()) {
            case Frames.ACCEPT -> {
                if (forward == null || accepted) return;
                accepted = true;
                throttle();
            }
            case Frames.REFUSE -> {
                if (forward != null) forward.refused(Frames.text(h.payload()));
                close(null);
            }
            case Frames.DATA -> {
                if (h.seq() != received || app == null) {
                    log.info(
                            "event=tunnel_stream_broken node={} flow={} reason=\"offset {} where {} was due\"",
                            node.self,
                            key.flow(),
                            h.seq(),
                            received);
                    close("stream out of order");
                    return;
                }
                int n = h.payload().readableBytes();
                received += n;
                if (forward != null) {
                    forward.packetsOut.incrementAndGet();
                    forward.bytesOut.addAndGet(n);
                }
                app.writeAndFlush(h.payload().retain()).addListener(f -> {
                    if (!f.isSuccess()) return;
                    delivered += n;
                    if (delivered - ackSent >= node.limits.streamWindowBytes() / 4 || app.isWritable()) {
                        ackSent = delivered;
                        node.control(Frames.ACK, key.peer(), key.flow(), delivered, "");
                    }
                });
            }
            case Frames.ACK -> {
                if (h.seq() > acked && h.seq() <= sent) acked = h.seq();
                if (accepted) throttle();
            }
            case Frames.CLOSE -> {
                closed = true;
                release();
                if (app != null) app.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            default -> {}
        }
    }

    @Override
    public long held() {
        return app == null || app.unsafe().outboundBuffer() == null
                ? 0
                : app.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    /** Ends the stream: tells the far end (unless {@code reason} is null: it ended it) and closes the application. */
    @Override
    public void close(String reason) {
        if (closed) return;
        closed = true;
        release();
        if (reason != null) node.control(Frames.CLOSE, key.peer(), key.flow(), sent, "");
        if (forward != null && reason != null && !reason.equals("forward removed")) forward.lastError = reason;
        if (app != null) app.close();
    }

    private void release() {
        node.removeFlow(key, this);
        node.tcpStreams--;
        if (forward != null) forward.streams.remove(this);
    }
}
