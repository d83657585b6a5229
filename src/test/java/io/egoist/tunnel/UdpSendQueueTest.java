package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A tunnel UDP socket whose send queue is full drops the datagrams for it (counted) instead of queueing them: here
 * the forward's socket towards its client is made unwritable, as a socket the kernel stopped taking datagrams from.
 */
class UdpSendQueueTest {

    @Test
    void answersForAClientWhoseSocketCannotSendAreDroppedAndCountedNotQueued() throws Exception {
        try (EchoServices services = new EchoServices();
                TunnelPath path = TunnelPath.start(
                        2,
                        Map.of(1, List.of(new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()))),
                        TunnelLimits.DEFAULTS);
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            assertThat(path.awaitReady(30_000))
                    .as("pair ready:%n%s", path.describe())
                    .isTrue();
            TunnelNode plane = path.node(0).tunnels();
            Forward.Info f = plane.addForward(new Forward.Spec(
                            Service.Endpoint.parse("udp:127.0.0.1:0"),
                            path.node(1).id(),
                            "echo"))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", f.port());
            client.setSoTimeout(1_000);
            await().atMost(Duration.ofSeconds(20)).until(() -> echoed(client, to)); // the session works

            Channel socket = plane.loop
                    .submit(() -> ((UdpForward) plane.forward(f.id())).socket())
                    .get();
            socket.eventLoop()
                    .submit(() -> socket.unsafe().outboundBuffer().setUserDefinedWritability(1, false))
                    .get();
            long dropped = count(plane, f, "dropped"), out = count(plane, f, "datagrams_out");
            client.setSoTimeout(200);
            for (int i = 0; i < 20; i++)
                assertThat(echoed(client, to)).as("echo %d", i).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> count(plane, f, "dropped") - dropped == 20);
            assertThat(count(plane, f, "datagrams_out")).isEqualTo(out);
            long queued = socket.eventLoop()
                    .submit(() -> socket.unsafe().outboundBuffer().totalPendingWriteBytes())
                    .get();
            assertThat(queued).as("bytes queued on the unwritable socket").isZero();

            socket.eventLoop()
                    .submit(() -> socket.unsafe().outboundBuffer().setUserDefinedWritability(1, true))
                    .get();
            client.setSoTimeout(1_000);
            await().atMost(Duration.ofSeconds(20)).until(() -> echoed(client, to)); // and works again
        }
    }

    private static long count(TunnelNode plane, Forward.Info f, String key) {
        return ((Number) plane.forwards().join().stream()
                        .filter(x -> x.id() == f.id())
                        .findFirst()
                        .orElseThrow()
                        .counters()
                        .get(key))
                .longValue();
    }

    private static boolean echoed(DatagramSocket c, InetSocketAddress to) throws Exception {
        byte[] d = "x".getBytes();
        c.send(new DatagramPacket(d, 1, to));
        try {
            c.receive(new DatagramPacket(new byte[10], 10));
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
