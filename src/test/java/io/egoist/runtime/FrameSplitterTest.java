package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameSplitter} on its own: lines and frames mixed, cut into reads at random places, come out whole and in
 * order; a frame comes out as the whole frame (marker and length included, so a relay forwards it as it is) with
 * {@link BinaryFrame#body} after the prefix; every buffer handed out is released with the frame; an over-long
 * frame is an error.
 */
class FrameSplitterTest {
    @Test
    void linesAndFramesCutAnywhereComeOutWholeAndInOrder() {
        Random rnd = new Random(11);
        for (int round = 0; round < 20; round++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameSplitter(70_000));
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            List<Object> expected = new ArrayList<>(); // String lines, byte[] frame bodies
            for (int i = 0; i < 40; i++) {
                if (rnd.nextBoolean()) {
                    String line = "LINE " + round + " " + i + "\n";
                    wire.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
                    expected.add(line);
                } else {
                    byte[] body = new byte[rnd.nextInt(40_000)];
                    rnd.nextBytes(body);
                    wire.write(FrameSplitter.MARKER);
                    wire.writeBytes(new byte[] {
                        (byte) (body.length >>> 24),
                        (byte) (body.length >>> 16),
                        (byte) (body.length >>> 8),
                        (byte) body.length
                    });
                    wire.writeBytes(body);
                    expected.add(body);
                }
            }
            byte[] all = wire.toByteArray();
            for (int at = 0; at < all.length; ) { // reads of random sizes, as a socket would give them
                int n = Math.min(all.length - at, 1 + rnd.nextInt(20_000));
                ch.writeInbound(Unpooled.copiedBuffer(all, at, n));
                at += n;
            }
            StringBuilder lineBytes = new StringBuilder();
            List<Object> got = new ArrayList<>();
            List<ByteBuf> handedOut = new ArrayList<>();
            for (Object m; (m = ch.readInbound()) != null; ) {
                if (m instanceof BinaryFrame f) {
                    if (lineBytes.length() > 0) throw new AssertionError("a frame inside a line: " + lineBytes);
                    ByteBuf whole = f.frame();
                    assertThat(whole.getByte(whole.readerIndex())).isEqualTo(FrameSplitter.MARKER);
                    assertThat(whole.getInt(whole.readerIndex() + 1)).isEqualTo(whole.readableBytes() - 5);
                    got.add(ByteBufUtil.getBytes(f.body()));
                    handedOut.add(whole);
                    f.body().release(); // the body shares the frame's reference count
                } else {
                    ByteBuf b = (ByteBuf) m; // line bytes, passed on for the line framer behind
                    lineBytes.append(b.toString(StandardCharsets.US_ASCII));
                    handedOut.add(b);
                    b.release();
                    int lf;
                    while ((lf = lineBytes.indexOf("\n")) >= 0) {
                        got.add(lineBytes.substring(0, lf + 1));
                        lineBytes.delete(0, lf + 1);
                    }
                }
            }
            assertThat(got).hasSameSizeAs(expected);
            for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).isEqualTo(expected.get(i));
            for (ByteBuf b : handedOut)
                assertThat(b.refCnt()).as("released with its frame").isZero();
            ch.finishAndReleaseAll();
        }
    }

    /**
     * Once a frame spanned two reads, the reads are composed; a later frame that lies within one read still comes
     * out as a slice of that read alone (one piece of memory: a datagram taken from it leaves a UDP socket whole,
     * see {@code UdpWholeDatagramTest}); only the frame that spans two reads is in two pieces.
     */
    @Test
    void aFrameWithinOneReadIsOnePieceEvenAfterTheReadsWereComposed() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameSplitter(70_000));
        Random rnd = new Random(5);
        byte[][] bodies = new byte[4][];
        ByteBuf wire = Unpooled.buffer();
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = new byte[1_000 + i];
            rnd.nextBytes(bodies[i]);
            wire.writeByte(FrameSplitter.MARKER).writeInt(bodies[i].length).writeBytes(bodies[i]);
        }
        int cut = 5 + 1_000 + 500; // inside the second frame
        ch.writeInbound(Unpooled.directBuffer().writeBytes(wire, 0, cut));
        ch.writeInbound(Unpooled.directBuffer().writeBytes(wire, cut, wire.readableBytes() - cut));

        List<BinaryFrame> frames = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) frames.add((BinaryFrame) m);
        assertThat(frames).hasSize(4);
        for (int i = 0; i < 4; i++)
            assertThat(ByteBufUtil.getBytes(frames.get(i).body())).isEqualTo(bodies[i]);
        assertThat(frames.get(1).frame().nioBufferCount())
                .as("the frame across the two reads")
                .isEqualTo(2);
        assertThat(frames.get(2).frame().nioBufferCount())
                .as("a frame within the second read, read from the composed reads")
                .isEqualTo(1);
        assertThat(frames.get(3).frame().nioBufferCount()).isEqualTo(1);
        for (BinaryFrame f : frames) f.frame().release();
        for (BinaryFrame f : frames)
            assertThat(f.frame().refCnt()).as("released with its frame").isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFrameLongerThanTheMaximumIsAnError() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameSplitter(100));
        ByteBuf in = Unpooled.buffer().writeByte(FrameSplitter.MARKER).writeInt(101);
        try {
            ch.writeInbound(in);
            throw new AssertionError("no error for an over-long frame");
        } catch (CorruptedFrameException e) {
            assertThat(e.getMessage()).contains("101").contains("100");
        }
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }
}
