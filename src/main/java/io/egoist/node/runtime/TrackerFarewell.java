package io.egoist.node.runtime;

import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TlsGate;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leaving node's last word to the tracker: {@code RMV@<own id>}, sent after its ports are closed, so the
 * tracker's probe of the echo port fails and the node is removed at once instead of lingering as a suspect.
 *
 * <p>The connection is opened <em>from the node's own main port</em> when the system allows it (the listening
 * socket is closed by then), so the tracker sees the RMV come from exactly the id it names: a self-report no
 * other host can forge, which our tracker acts on after one failed probe. If that bind fails, an ephemeral
 * port is used and the RMV counts as an ordinary report (removal at the tracker's next sweep).
 */
final class TrackerFarewell {
    private static final Logger log = LoggerFactory.getLogger(TrackerFarewell.class);

    private TrackerFarewell() {}

    /** Sends the RMV and waits (at most {@code timeoutMs}) until the tracker closed the connection. */
    static boolean send(EventLoopGroup group, NodeId self, String trackerHost, int trackerPort, long timeoutMs) {
        return send(group, self, trackerHost, trackerPort, timeoutMs, null);
    }

    /** As above; in secure mode ({@code tls} non-null) over mutually authenticated TLS. */
    static boolean send(
            EventLoopGroup group, NodeId self, String trackerHost, int trackerPort, long timeoutMs, TlsMembers tls) {
        String line = WireCodec.encode(new Message.Remove(self)) + Seed.CRLF;
        Channel ch = connectFromOwnPort(group, self, trackerHost, trackerPort, timeoutMs, tls);
        if (ch == null)
            ch = connect(group, self, trackerHost, trackerPort, timeoutMs, false, tls)
                    .channel();
        if (ch == null) {
            log.warn(
                    "event=leave_rmv_failed node={} tracker={}:{} reason=connect_failed",
                    self,
                    trackerHost,
                    trackerPort);
            return false;
        }
        boolean fromOwnPort = ((InetSocketAddress) ch.localAddress()).getPort() == self.port();
        ch.writeAndFlush(Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII));
        boolean closed = ch.closeFuture().awaitUninterruptibly(timeoutMs, TimeUnit.MILLISECONDS);
        ch.close();
        log.info(
                "event=leave_rmv_sent node={} tracker={}:{} from_own_port={} acknowledged={}",
                self,
                trackerHost,
                trackerPort,
                fromOwnPort,
                closed);
        return closed;
    }

    /**
     * The own-port connect, tried again for a short while when the port is still taken: a closed NIO listening
     * socket keeps its port until its event loop deregisters it on the next select, so the first bind right
     * after the close can still fail. Any other failure (say, the tracker refuses) is not retried.
     */
    private static Channel connectFromOwnPort(
            EventLoopGroup group, NodeId self, String host, int port, long timeoutMs, TlsMembers tls) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(OWN_PORT_RETRY_MS, timeoutMs / 2));
        while (true) {
            Attempt a = connect(group, self, host, port, timeoutMs, true, tls);
            if (a.channel() != null || !a.portTaken() || System.nanoTime() - deadline > 0) return a.channel();
            try {
                Thread.sleep(OWN_PORT_RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** How long a leaving node keeps trying to bind its own (just closed) main port. */
    static final long OWN_PORT_RETRY_MS = 1_000;

    private static final long OWN_PORT_RETRY_PAUSE_MS = 20;

    /** A connected channel, or null and whether the local port was the reason. */
    private record Attempt(Channel channel, boolean portTaken) {}

    private static Attempt connect(
            EventLoopGroup group,
            NodeId self,
            String host,
            int port,
            long timeoutMs,
            boolean fromOwnPort,
            TlsMembers tls) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(io.egoist.runtime.Netty.clientChannel(group))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeoutMs))
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg); // the tracker answers RMV with nothing but a close
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                        // writes wait in the SslHandler until the handshake is done
                        if (tls != null) TlsGate.install(ch, tls, true, new RefusalLog(), "farewell");
                    }
                });
        try {
            ChannelFuture f = fromOwnPort
                    ? b.connect(new InetSocketAddress(host, port), new InetSocketAddress(self.ip(), self.port()))
                    : b.connect(host, port);
            if (!f.awaitUninterruptibly(timeoutMs + 100, TimeUnit.MILLISECONDS) || !f.isSuccess()) {
                f.channel().close();
                log.debug(
                        "event=leave_connect_failed node={} from_own_port={} reason={}",
                        self,
                        fromOwnPort,
                        f.cause() == null ? "timeout" : f.cause().toString());
                return new Attempt(null, portTaken(f.cause()));
            }
            return new Attempt(f.channel(), false);
        } catch (RuntimeException e) {
            return new Attempt(null, false);
        }
    }

    private static boolean portTaken(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
            if (t.getMessage() != null && t.getMessage().contains("Address already in use")) return true;
        }
        return false;
    }
}
