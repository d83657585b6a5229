package io.egoist.runtime;

import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's echo service (main port + 1): every line comes back unchanged, so peers can time round trips.
 * One exception, our capability detection: a line that decodes (context ECHO) as {@link Message.Hello} is
 * answered with this node's own HELLO line, when one is configured. A v0.2 echo port returns the HELLO
 * unchanged, which tells the sender that the peer has no extensions.
 *
 * <p>A line over MAX_LENGTH gets {@code NACK@line too long} and the connection is closed.
 *
 * <p>Latency emulation: the echo server adds no delay of its own. The prober opened the connection and
 * delays both directions (see {@link OutboundDelay}); on loopback the echo server could not tell which
 * node an ephemeral source port belongs to anyway.
 */
public final class EchoServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EchoServer.class);

    private final EventLoopGroup ownGroup;
    private final EventLoopGroup group;
    private final String helloReply;
    private final Predicate<String> isHello;
    private final ChannelGroup channels = new DefaultChannelGroup("echo", GlobalEventExecutor.INSTANCE);
    private volatile String name = "echo";
    private volatile boolean frozen;

    /**
     * @param group      loops to run on, or null for an own one-thread group (shut down by {@link #close()})
     * @param helloReply this node's HELLO line (without CR LF), or null to echo HELLO lines like any other
     */
    public EchoServer(EventLoopGroup group, String helloReply) {
        this(group, helloReply, EchoServer::decodesAsHello);
    }

    /** As above with an explicit HELLO recogniser. */
    public EchoServer(EventLoopGroup group, String helloReply, Predicate<String> isHello) {
        this.ownGroup = group == null ? Netty.newGroup(1, "echo") : null;
        this.group = group == null ? ownGroup : group;
        this.helloReply = helloReply;
        this.isHello = isHello;
    }

    /** The default HELLO recogniser: the wire codec, in the ECHO context. */
    public static boolean decodesAsHello(String line) {
        if (!line.startsWith("HELLO" + Seed.PACK_DELIMITER)) return false;
        try {
            Decoded d = WireCodec.decode(WireCodec.Context.ECHO, line);
            return d instanceof Decoded.Ok ok && ok.message() instanceof Message.Hello;
        } catch (RuntimeException e) { // the codec never throws; be safe anyway and just echo
            return false;
        }
    }

    /** Binds ({@code port} 0 = ephemeral) and returns the bound port; blocks until bound. */
    public int listen(String host, int port) {
        Channel server = Lines.listen(group, host, port, ch -> {
            channels.add(ch);
            ch.pipeline().addLast(new Handler());
        });
        channels.add(server);
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        name = "echo:" + bound;
        return bound;
    }

    /** Stops answering (lines are read and dropped) but keeps every socket open: emulates a hung node. */
    public void freeze() {
        frozen = true;
    }

    /** Stops listening, closes every connection and, if it owns its loop, shuts the loop down. */
    @Override
    public void close() {
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (ownGroup != null) Netty.shutdown(ownGroup);
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            String line = Lines.take(msg);
            if (frozen) return;
            String answer = helloReply != null && isHello.test(line) ? helloReply : line;
            Lines.write(ctx.channel(), answer);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Channel ch = ctx.channel();
            if (cause instanceof TooLongFrameException) {
                log.info("event=nack server={} peer={} reason=line_too_long", name, ch.remoteAddress());
                Lines.write(ch, Seed.NACK + Seed.PACK_DELIMITER + "line too long");
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            log.debug("event=echo_conn_error server={} peer={} reason={}", name, ch.remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
