package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A relay on a UDP tunnel's path dies: the flow takes the new path (same forward, same client socket). */
class RelayCrashTest {
    @Test
    void aUdpFlowResumesOverTheNewPathAfterItsRelayDies() throws Exception {
        try (EchoServices services = new EchoServices();
                TunnelPath path = TunnelPath.start(
                        4,
                        Map.of(3, List.of(new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()))),
                        TunnelLimits.DEFAULTS)) {
            assertThat(path.awaitReady(30_000))
                    .as("ring ready:%n%s", path.describe())
                    .isTrue();
            Forward.Info f = path.node(0)
                    .tunnels()
                    .addForward(new Forward.Spec(
                            Service.Endpoint.parse("udp:127.0.0.1:0"),
                            path.node(3).id(),
                            "echo"))
                    .get(10, TimeUnit.SECONDS);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", f.port());
            try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                c.setSoTimeout(200);
                int[] n = {0};
                assertThat(roundTrip(c, to, n)).isTrue();
                long relayedBefore = path.node(1).tunnels().counters()[0];
                assertThat(relayedBefore).as("node 1 relayed the flow").isPositive();
                path.node(1).close(); // the first relay dies: its sockets close
                // node 0 re-wires around it (0 > 2 > 3); the same flow goes on over the new path
                await().atMost(Duration.ofSeconds(20)).until(() -> roundTrip(c, to, n));
                assertThat(path.node(0)
                                .route(path.node(3).id())
                                .get(5, TimeUnit.SECONDS)
                                .orElseThrow()
                                .path())
                        .doesNotContain(path.node(1).id());
                // UDP may lose a datagram on a loaded machine: each of the 100 round trips gets up to 5 sends
                for (int i = 0; i < 100; i++) {
                    boolean back = false;
                    for (int send = 0; send < 5 && !back; send++) back = roundTrip(c, to, n);
                    assertThat(back).as("round trip %d over the new path", i).isTrue();
                }
                long out = ((Number) path.node(0)
                                .tunnels()
                                .forwards()
                                .get(5, TimeUnit.SECONDS)
                                .get(0)
                                .counters()
                                .get("datagrams_out"))
                        .longValue();
                assertThat(out).as("echoes back over the new path").isGreaterThanOrEqualTo(101);
            }
        }
    }

    /** One datagram out and its exact echo back (false on a timeout). */
    private static boolean roundTrip(DatagramSocket c, InetSocketAddress to, int[] n) throws Exception {
        byte[] d = new byte[1_200];
        Arrays.fill(d, (byte) n[0]++);
        c.send(new DatagramPacket(d, d.length, to));
        byte[] in = new byte[2_000];
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            try {
                c.receive(p);
            } catch (SocketTimeoutException e) {
                return false;
            }
            if (Arrays.equals(Arrays.copyOf(in, p.getLength()), d)) return true; // older echoes are skipped
        }
        return false;
    }
}
