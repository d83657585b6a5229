package io.egoist.runtime;

import io.egoist.wire.Seed;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.nio.charset.StandardCharsets;

/** Line framing shared by every line-based adapter: LF or CR LF in, CR LF out, at most MAX_LENGTH bytes. */
final class Lines {
    private Lines() {}

    static final String FRAMER = "lineFramer";

    /** Adds the line decoder; over-long lines surface as TooLongFrameException in exceptionCaught. */
    static void addFramer(ChannelPipeline pipeline) {
        pipeline.addLast(FRAMER, new LineBasedFrameDecoder(Seed.MAX_LENGTH, true, true));
    }

    static String decode(ByteBuf frame) {
        return frame.toString(StandardCharsets.UTF_8);
    }

    /** True when the line can go on the wire as one line (no CR or LF inside). */
    static boolean isSingleLine(String line) {
        return line.indexOf('\n') < 0 && line.indexOf('\r') < 0;
    }

    static ChannelFuture write(Channel ch, String line) {
        ByteBuf buf = ch.alloc().buffer(line.length() + 2);
        ByteBufUtil.writeUtf8(buf, line);
        buf.writeByte('\r').writeByte('\n');
        return ch.writeAndFlush(buf);
    }
}
