package io.egoist.runtime;

import io.netty.buffer.ByteBuf;

/**
 * A binary frame read from a line connection (see {@link FrameSplitter}): {@code body} is everything after the
 * marker and the length (a retained slice of the read buffer; whoever takes the frame releases it).
 */
public record BinaryFrame(ByteBuf body) {}
