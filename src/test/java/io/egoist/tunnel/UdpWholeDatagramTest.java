package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.egoist.runtime.Netty;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A datagram whose bytes lie in two buffers (a UDP frame that spanned two reads of its link) leaves a tunnel UDP
 * socket whole. On epoll, Netty sends a lone datagram of several buffers through its loop's shared iovec array,
 * whose byte limit is whatever a TCP connection on the same loop last set for its gathering writes (about twice its
 * send buffer), and ignores that the array took only the first buffer: the datagram left cut short without an
 * error. In a tunnel test a 65,507-byte echo came back as its first 8,667 bytes. The test sets that limit low with
 * a TCP write on the loop first.
 */
class UdpWholeDatagramTest {

    @Test
    void aDatagramInTwoBuffersLeavesWholeAfterAGatheringTcpWriteOnTheSameLoop() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll does not load here: " + Epoll.unavailabilityCause());
        EventLoopGroup group = Netty.newGroup(1, "udp-whole", true);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            EventLoop loop = group.next();
            Channel tcp = new Bootstrap()
                    .group(loop)
                    .channel(Netty.clientChannel(group))
                    .option(ChannelOption.SO_SNDBUF, 4096)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(server.getLocalSocketAddress())
                    .sync()
                    .channel();
            try (Socket accepted = server.accept()) {
                Channel udp = UdpSockets.bootstrap(loop, new ChannelInboundHandlerAdapter())
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .sync()
                        .channel();
                byte[] data = new byte[60_000];
                new Random(3).nextBytes(data);
                InetSocketAddress to = (InetSocketAddress) receiver.getLocalSocketAddress();
                LinkWrites writes = new LinkWrites(loop);
                boolean written = loop.submit(() -> {
                            // two buffers flushed at once: a gathering write, which sets the shared array's limit
                            tcp.write(Unpooled.directBuffer().writeZero(100));
                            tcp.writeAndFlush(Unpooled.directBuffer().writeZero(100));
                            return writes.writeDatagram(udp, new DatagramPacket(twoBuffers(data), to));
                        })
                        .get(5, TimeUnit.SECONDS);
                assertThat(written).isTrue();

                receiver.setSoTimeout(5_000);
                byte[] in = new byte[70_000];
                java.net.DatagramPacket p = new java.net.DatagramPacket(in, in.length);
                receiver.receive(p);
                assertThat(p.getLength()).as("bytes that arrived").isEqualTo(data.length);
                assertThat(Arrays.copyOf(in, p.getLength())).isEqualTo(data);
                udp.close().sync();
                tcp.close().sync();
            }
        } finally {
            Netty.shutdown(group);
        }
    }

    private static ByteBuf twoBuffers(byte[] data) {
        int half = data.length / 2;
        CompositeByteBuf c = Unpooled.compositeBuffer();
        c.addComponent(true, Unpooled.directBuffer(half).writeBytes(data, 0, half));
        c.addComponent(true, Unpooled.directBuffer(data.length - half).writeBytes(data, half, data.length - half));
        return c;
    }
}
