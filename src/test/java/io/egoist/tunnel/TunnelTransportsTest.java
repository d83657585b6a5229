package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A UDP and a TCP tunnel through a relay deliver byte-exact data whichever transport the nodes' loops run: NIO
 * (forced, as with {@code -Degoist.transport=nio}) and native epoll (the nodes' default where it loads). Every
 * channel a node opens (links, echo, tunnel UDP sockets, TCP forward listener and stream connections) must fit its
 * loop, or it would fail at registration. On epoll the tunnel's UDP sockets read with {@code recvmmsg} (a receive
 * buffer of several 64 KiB slots) and bursts of datagrams leave with one flush.
 */
class TunnelTransportsTest {
    private static final int BURST = 64;

    @Test
    void tunnelsThroughNodesForcedToNio() throws Exception {
        try (EchoServices services = new EchoServices();
                TunnelPath path = TunnelPath.start(3, exposed(services), TunnelLimits.DEFAULTS, true)) {
            assertThat(path.awaitReady(30_000))
                    .as("ring 0>1>2:%n%s", path.describe())
                    .isTrue();
            for (int i = 0; i < 3; i++) assertThat(path.node(i).transport()).isEqualTo("nio");
            Channel socket = udpTunnelEchoes(path);
            assertThat(socket).isInstanceOf(NioDatagramChannel.class);
            tcpTunnelEchoes(path);
        }
    }

    @Test
    void tunnelsThroughNodesOnEpoll() throws Exception {
        assumeTrue(
                Epoll.isAvailable(),
                "native epoll does not load on this machine, so only the NIO path is tested here: "
                        + Epoll.unavailabilityCause());
        try (EchoServices services = new EchoServices();
                TunnelPath path = TunnelPath.start(3, exposed(services), TunnelLimits.DEFAULTS, false)) {
            assertThat(path.awaitReady(30_000))
                    .as("ring 0>1>2:%n%s", path.describe())
                    .isTrue();
            for (int i = 0; i < 3; i++) assertThat(path.node(i).transport()).isEqualTo("epoll");
            Channel socket = udpTunnelEchoes(path);
            assertThat(socket).isInstanceOf(EpollDatagramChannel.class);
            assertThat(socket.config().getOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE))
                    .as("recvmmsg slots a whole datagram fits in")
                    .isEqualTo(Frames.MAX_PAYLOAD);
            assertThat(socket.config().getRecvByteBufAllocator().newHandle().guess())
                    .as("one receive buffer for several datagrams")
                    .isEqualTo(UdpSockets.DATAGRAMS_PER_RECVMMSG * Frames.MAX_PAYLOAD);
            tcpTunnelEchoes(path);
        }
    }

    private static Map<Integer, List<Service>> exposed(EchoServices services) {
        return Map.of(
                2,
                List.of(
                        new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()),
                        new Service("db", Service.Proto.TCP, "127.0.0.1", services.tcpPort())));
    }

    /**
     * Bursts of {@value #BURST} distinct datagrams (and the largest one) through the relay, each sent again until
     * its echo came back (UDP may lose one under load): every one comes back whole and byte-exact. Returns the
     * forward's UDP socket.
     */
    private static Channel udpTunnelEchoes(TunnelPath path) throws Exception {
        Forward.Info f = path.node(0)
                .tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse("udp:127.0.0.1:0"), path.node(2).id(), "echo"))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", f.port());
        Random rnd = new Random(11);
        Map<Integer, byte[]> waiting = new HashMap<>();
        for (int i = 0; i < BURST; i++) {
            byte[] d = new byte[i == 0 ? 65_507 : 1 + rnd.nextInt(1_400)];
            rnd.nextBytes(d);
            if (d.length >= 4) ByteBuffer.wrap(d).putInt(0, i);
            else d = ByteBuffer.allocate(4).putInt(i).array();
            waiting.put(i, d);
        }
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(1_000);
            client.setReceiveBufferSize(4 << 20);
            byte[] in = new byte[70_000];
            for (int round = 0; round < 10 && !waiting.isEmpty(); round++) {
                for (byte[] d : waiting.values()) client.send(new DatagramPacket(d, d.length, to));
                try {
                    while (!waiting.isEmpty()) {
                        DatagramPacket p = new DatagramPacket(in, in.length);
                        client.receive(p);
                        assertThat(p.getLength()).isGreaterThanOrEqualTo(4);
                        int i = ByteBuffer.wrap(in).getInt(0);
                        byte[] d = waiting.remove(i);
                        if (d != null) // a late copy of one already back is skipped
                        assertThat(Arrays.copyOf(in, p.getLength()))
                                    .as("echo of datagram %d (%d bytes)", i, d.length)
                                    .isEqualTo(d);
                    }
                } catch (SocketTimeoutException e) {
                    // send the missing ones again
                }
            }
        }
        assertThat(waiting).as("datagrams that never came back").isEmpty();
        TunnelNode src = path.node(0).tunnels();
        return src.loop
                .submit(() -> ((UdpForward) src.forward(f.id())).socket())
                .get(5, TimeUnit.SECONDS);
    }

    /** 4 MiB of random bytes echoed through a TCP tunnel come back byte-exact. */
    private static void tcpTunnelEchoes(TunnelPath path) throws Exception {
        Forward.Info f = path.node(0)
                .tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse("tcp:127.0.0.1:0"), path.node(2).id(), "db"))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        byte[] data = new byte[4 << 20];
        new Random(5).nextBytes(data);
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(30_000);
            EchoServices.echoesByteExact(s, data, 50_000);
        }
    }
}
