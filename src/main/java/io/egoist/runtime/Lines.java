package io.egoist.runtime;

import io.egoist.wire.Seed;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Line framing shared by every line-based adapter: LF or CR LF in, CR LF out, at most MAX_LENGTH bytes. */
final class Lines {
    private Lines() {}

    static final String FRAMER = "lineFramer";

    /** Adds the line decoder; over-long lines surface as TooLongFrameException in exceptionCaught. */
    static void addFramer(ChannelPipeline pipeline) {
        pipeline.addLast(FRAMER, new LineBasedFrameDecoder(Seed.MAX_LENGTH, true, true));
    }

    /** The line in a frame the framer produced (as given to channelRead); releases the frame. */
    static String take(Object frame) {
        ByteBuf buf = (ByteBuf) frame;
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    /**
     * Binds a listening socket for line connections ({@code port} 0 = ephemeral) and blocks until bound: every
     * accepted channel has TCP_NODELAY (Netty's default) and gets the framer, then {@code init} adds its handlers. Throws
     * {@link IllegalStateException} if the address cannot be bound.
     */
    static Channel listen(EventLoopGroup group, String host, int port, Consumer<SocketChannel> init) {
        ServerBootstrap sb = new ServerBootstrap()
                .group(group, group)
                .channel(Netty.serverChannel(group))
                .option(ChannelOption.SO_REUSEADDR, true)
                // no childOption(TCP_NODELAY): Netty's NIO and epoll socket configs turn it on when they are made,
                // and setting it again cost a second setsockopt per connection (HostTransportTest checks it is on)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        addFramer(ch.pipeline());
                        init.accept(ch);
                    }
                });
        ChannelFuture f = sb.bind(host, port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + ": " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    /** True when the line can go on the wire as one line (no CR or LF inside). */
    static boolean isSingleLine(String line) {
        return line.indexOf('\n') < 0 && line.indexOf('\r') < 0;
    }

    static ChannelFuture write(Channel ch, String line) {
        return ch.writeAndFlush(encode(ch, line));
    }

    /** The line with CR LF, in a buffer of the channel's allocator. */
    static ByteBuf encode(Channel ch, String line) {
        ByteBuf buf = ch.alloc().buffer(ByteBufUtil.utf8MaxBytes(line) + 2);
        ByteBufUtil.writeUtf8(buf, line);
        buf.writeByte('\r').writeByte('\n');
        return buf;
    }
}
