package io.egoist.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Splits one connection's bytes into text lines and binary frames. A frame starts with the byte {@link #MARKER}
 * (0x00) where a line would start; no protocol line ever starts with it (lines are printable ASCII). It is
 * followed by a 4-byte big-endian body length (at most {@code maxBody}) and the body. Line bytes pass through
 * unchanged to the line framer behind this handler, which keeps the 16,384-byte line limit; frames go on as
 * {@link BinaryFrame} (a retained slice of the whole frame, prefix included, no copy). A frame longer than {@code maxBody} is an error: the
 * connection is closed (a {@link CorruptedFrameException} reaches the handlers behind).
 */
public final class FrameSplitter extends ByteToMessageDecoder {
    public static final String NAME = "frameSplitter";
    public static final byte MARKER = 0;
    /** Marker and length. */
    public static final int PREFIX = 5;

    private final int maxBody;
    /** True while inside a text line (its LF not yet seen). */
    private boolean inLine;

    public FrameSplitter(int maxBody) {
        this.maxBody = maxBody;
        // Frames leave as retained slices of the read buffer, so the merging cumulator would copy every read
        // that follows a partial frame into a new buffer (the old one is still referenced): composing the reads
        // instead keeps relayed bytes uncopied.
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (inLine) {
                int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                if (lf < 0) {
                    out.add(in.readRetainedSlice(in.readableBytes()));
                    return;
                }
                out.add(in.readRetainedSlice(lf + 1 - in.readerIndex()));
                inLine = false;
                continue;
            }
            if (in.getByte(in.readerIndex()) != MARKER) {
                inLine = true;
                continue;
            }
            if (in.readableBytes() < PREFIX) return;
            long len = in.getUnsignedInt(in.readerIndex() + 1);
            if (len > maxBody) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("binary frame of " + len + " bytes, the maximum is " + maxBody);
            }
            if (in.readableBytes() < PREFIX + len) return;
            out.add(new BinaryFrame(readFrame(in, PREFIX + (int) len)));
        }
    }

    /**
     * The next {@code length} bytes as a retained slice: of the one read buffer they lie in where the reads were
     * composed and the frame does not span two of them, else of the composition. A slice of one buffer is one piece
     * of memory for the sockets it is written to (one iovec, and a datagram taken from it is never in two pieces,
     * see {@code LinkWrites.writeDatagram}), and it does not hold the composition, which can then drop the reads it
     * has consumed.
     */
    private static ByteBuf readFrame(ByteBuf in, int length) {
        if (in instanceof CompositeByteBuf c && c.numComponents() > 1) {
            int at = c.readerIndex(), piece = c.toComponentIndex(at);
            if (piece == c.toComponentIndex(at + length - 1)) {
                ByteBuf frame = c.internalComponent(piece).retainedSlice(at - c.toByteIndex(piece), length);
                c.skipBytes(length);
                return frame;
            }
        }
        return in.readRetainedSlice(length);
    }
}
