package io.egoist.runtime;

import io.netty.buffer.ByteBuf;

/**
 * A binary frame read from a line connection (see {@link FrameSplitter}): {@code frame} is the whole frame,
 * marker and length included (a retained slice of the read buffer; whoever takes the frame releases it, through
 * {@link #frame} or {@link #body}, which share one reference count). A relay forwards {@code frame} as it is, so
 * it allocates nothing per frame; a receiver reads {@link #body}.
 */
public record BinaryFrame(ByteBuf frame) {
    /** Everything after the marker and the length: a view of {@code frame} sharing its reference count. */
    public ByteBuf body() {
        return frame.slice(frame.readerIndex() + FrameSplitter.PREFIX, frame.readableBytes() - FrameSplitter.PREFIX);
    }
}
