package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each tunnel limit bites as documented (docs/TUNNELS.md), with small limits on a two-node overlay. */
class TunnelLimitsTest {
    static final TunnelLimits LIMITS = new TunnelLimits(3, 1, 1, 1_500, 1, 64 * 1024);
    static EchoServices services;
    static TunnelPath path;

    @BeforeAll
    static void start() throws Exception {
        services = new EchoServices();
        path = TunnelPath.start(
                2,
                Map.of(
                        1,
                        List.of(
                                new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()),
                                new Service("db", Service.Proto.TCP, "127.0.0.1", services.tcpPort()))),
                LIMITS);
        assertThat(path.awaitReady(30_000))
                .as("pair ready:%n%s", path.describe())
                .isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (path != null) path.close();
        if (services != null) services.close();
    }

    private static Forward.Info forward(String listen, String service) {
        return path.node(0)
                .tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse(listen), path.node(1).id(), service))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    private static Map<String, Object> counters(Forward.Info f) {
        return path.node(0).tunnels().forwards().join().stream()
                .filter(x -> x.id() == f.id())
                .findFirst()
                .orElseThrow()
                .counters();
    }

    private static boolean echoed(DatagramSocket c, int port) throws Exception {
        byte[] d = "x".getBytes();
        c.send(new DatagramPacket(d, 1, new InetSocketAddress("127.0.0.1", port)));
        try {
            c.receive(new DatagramPacket(new byte[10], 10));
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void everyLimitBitesAsDocumented() throws Exception {
        Forward.Info a = forward("udp:127.0.0.1:0", "echo");
        Forward.Info b = forward("udp:127.0.0.1:0", "echo");
        Forward.Info t = forward("tcp:127.0.0.1:0", "db");
        // forwards per node
        assertThatThrownBy(() -> forward("udp:127.0.0.1:0", "echo"))
                .hasCauseInstanceOf(TunnelException.class)
                .hasMessageContaining("too many forwards: the maximum is 3 per node");

        try (DatagramSocket c1 = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket c2 = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            c1.setSoTimeout(3_000);
            c2.setSoTimeout(500);
            assertThat(echoed(c1, a.port())).isTrue();
            // UDP sessions per forward: a second client address is dropped
            assertThat(echoed(c2, a.port())).isFalse();
            assertThat(counters(a).get("dropped")).isEqualTo(1L);
            // UDP sessions at the destination: the second forward's session is refused there
            assertThat(echoed(c2, b.port())).isFalse();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat((String) counters(b).get("last_error"))
                            .isEqualTo("busy: too many UDP sessions at the destination"));
            // idle UDP sessions close: then both work again
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> ((Number) counters(a).get("sessions")).intValue() == 0);
            await().atMost(Duration.ofSeconds(15)).until(() -> echoed(c2, b.port()));
        }

        // TCP streams per node: one at a time; another connection is closed at once
        try (Socket s1 = new Socket("127.0.0.1", t.port())) {
            s1.setSoTimeout(10_000);
            s1.getOutputStream().write("one".getBytes());
            byte[] three = new byte[3];
            new DataInputStream(s1.getInputStream()).readFully(three);
            assertThat(new String(three)).isEqualTo("one");
            try (Socket s2 = new Socket("127.0.0.1", t.port())) {
                s2.setSoTimeout(10_000);
                assertThat(s2.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(counters(t).get("dropped")).isEqualTo(1L);
        }
    }
}
