package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Latency emulation of frames on a real loopback connection: a frame is held back by the link's delay (a line
 * written after it, which the host delays itself, overtakes it), frames keep their order when the delay changes,
 * and held frames count towards the channel's write water marks (the tunnel plane sees the link congested).
 */
class FrameDelayTest {
    private EventLoopGroup group;
    private ServerSocket server;
    private Socket accepted;
    private Channel ch;

    @BeforeEach
    void connect() throws Exception {
        group = Netty.newGroup(1, "frame-delay-test");
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ch = new Bootstrap()
                .group(group)
                .channel(Netty.clientChannel())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {}
                })
                .connect("127.0.0.1", server.getLocalPort())
                .sync()
                .channel();
        accepted = server.accept();
        accepted.setSoTimeout(10_000);
    }

    @AfterEach
    void close() throws Exception {
        if (ch != null) ch.close().sync();
        if (accepted != null) accepted.close();
        if (server != null) server.close();
        Netty.shutdown(group);
    }

    private static ByteBuf frame(int n, int size) {
        ByteBuf b = Unpooled.buffer(5 + size);
        b.writeByte(FrameSplitter.MARKER).writeInt(size);
        for (int i = 0; i < size; i++) b.writeByte(i == 0 ? n : 7);
        return b;
    }

    private void onLoop(Runnable r) throws Exception {
        ch.eventLoop().submit(r).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aFrameIsHeldBackByTheDelayAndALineIsNot() throws Exception {
        onLoop(() -> FrameDelay.install(ch, (host, port) -> 300));
        onLoop(() -> {
            ch.writeAndFlush(frame(1, 4));
            ch.writeAndFlush(Unpooled.copiedBuffer("HB@1\r\n", StandardCharsets.US_ASCII));
        });
        DataInputStream in = new DataInputStream(accepted.getInputStream());
        byte[] line = new byte[6];
        in.readFully(line);
        assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("HB@1\r\n"); // the line came first
        assertThat(in.readByte()).isEqualTo(FrameSplitter.MARKER);
        assertThat(in.readInt()).isEqualTo(4);
        assertThat(in.readByte()).isEqualTo((byte) 1);
    }

    @Test
    void framesKeepTheirOrderWhenTheDelayChanges() throws Exception {
        double[] delay = {200};
        onLoop(() -> FrameDelay.install(ch, (host, port) -> delay[0]));
        onLoop(() -> {
            for (int n = 0; n < 50; n++) {
                if (n == 25) delay[0] = 0; // later frames would be due earlier: they wait for the first ones
                ch.writeAndFlush(frame(n, 3));
            }
        });
        DataInputStream in = new DataInputStream(accepted.getInputStream());
        for (int n = 0; n < 50; n++) {
            assertThat(in.readByte()).isEqualTo(FrameSplitter.MARKER);
            assertThat(in.readInt()).isEqualTo(3);
            assertThat(in.readByte()).as("frame %d in order", n).isEqualTo((byte) n);
            in.readShort();
        }
    }

    @Test
    void heldFramesCountTowardsTheWriteWaterMarks() throws Exception {
        AtomicReference<Boolean> writableWhileHeld = new AtomicReference<>();
        onLoop(() -> {
            ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1_024, 4_096));
            FrameDelay.install(ch, (host, port) -> 5_000);
            for (int n = 0; n < 10; n++) ch.writeAndFlush(frame(n, 1_000));
            writableWhileHeld.set(ch.isWritable());
        });
        assertThat(writableWhileHeld.get())
                .as("10 KB held: over the 4 KB high mark")
                .isFalse();
        assertThat(accepted.getInputStream().available()).isZero(); // nothing written yet
    }

    @Test
    void aFrameBeyondTheHeldBytesCapIsDroppedAndCounted() throws Exception {
        int size = 64 * 1024;
        int fit = (int) (FrameDelay.MAX_HELD_BYTES / (size + 5)); // whole frames that fit under the cap
        long droppedBefore = FrameDelay.DROPPED.get();
        AtomicReference<Boolean> lastWriteSucceeded = new AtomicReference<>();
        onLoop(() -> {
            FrameDelay.install(ch, (host, port) -> 60_000);
            for (int n = 0; n < fit; n++) ch.write(frame(n, size));
            ch.writeAndFlush(frame(fit, size)) // the one that does not fit
                    .addListener(f -> lastWriteSucceeded.set(f.isSuccess()));
        });
        // the sender sees a completed write (as for a congested UDP frame); the frame is gone and counted
        assertThat(FrameDelay.DROPPED.get() - droppedBefore).isEqualTo(1);
        assertThat(lastWriteSucceeded.get()).isTrue();
        assertThat(accepted.getInputStream().available()).isZero(); // the ones that fit are still held
    }

    @Test
    void noEmulationInstallsNothing() throws Exception {
        onLoop(() -> FrameDelay.install(ch, OutboundDelay.NONE));
        assertThat(ch.pipeline().get(FrameDelay.NAME)).isNull();
    }
}
