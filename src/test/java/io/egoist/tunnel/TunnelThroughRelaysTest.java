package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.egoist.node.runtime.EgoistNode;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * UDP and TCP forwards from node 0 through two relays (nodes 1, 2) to node 3's exposed services, all separate
 * nodes on loopback with real sockets: the bytes arrive exactly, unexposed and unknown services are refused.
 */
class TunnelThroughRelaysTest {
    static EchoServices services;
    static HeldSink sink;
    static TunnelPath path;

    @BeforeAll
    static void start() throws Exception {
        services = new EchoServices();
        sink = new HeldSink();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<Service> exposed = List.of(
                new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()),
                new Service("db", Service.Proto.TCP, "127.0.0.1", services.tcpPort()),
                new Service("down", Service.Proto.TCP, "127.0.0.1", closedPort),
                new Service("sink", Service.Proto.TCP, "127.0.0.1", sink.port()));
        path = TunnelPath.start(4, Map.of(3, exposed), TunnelLimits.DEFAULTS);
        boolean ready = path.awaitReady(30_000);
        assertThat(ready).as("ring path 0>1>2>3 formed:%n%s", path.describe()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (path != null) path.close();
        if (services != null) services.close();
        if (sink != null) sink.close();
    }

    private static EgoistNode src() {
        return path.node(0);
    }

    private static Forward.Info forward(String listen, String service) {
        return src().tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse(listen), path.node(3).id(), service))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    @Test
    void udpDatagramsComeBackByteExactThroughTwoRelays() throws Exception {
        Forward.Info f = forward("udp:127.0.0.1:0", "echo");
        long relayed1 = path.node(1).tunnels().counters()[0],
                relayed2 = path.node(2).tunnels().counters()[0];
        Random rnd = new Random(1);
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2_000);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", f.port());
            byte[] in = new byte[2_000];
            int echoed = 0;
            for (int i = 0; i < 500; i++) {
                byte[] d = new byte[1_200];
                rnd.nextBytes(d);
                d[0] = (byte) i;
                d[1] = (byte) (i >> 8);
                for (int attempt = 0; attempt < 3; attempt++) { // UDP: a datagram may be lost; the echo must be exact
                    client.send(new DatagramPacket(d, d.length, to));
                    try {
                        DatagramPacket p = new DatagramPacket(in, in.length);
                        client.receive(p);
                        if (p.getLength() == d.length && in[0] == d[0] && in[1] == d[1]) {
                            assertThat(Arrays.copyOf(in, p.getLength())).isEqualTo(d);
                            echoed++;
                            break;
                        }
                    } catch (SocketTimeoutException e) {
                        // try again
                    }
                }
            }
            assertThat(echoed).isEqualTo(500);
        }
        assertThat(path.node(1).tunnels().counters()[0] - relayed1)
                .as("frames relayed by node 1")
                .isGreaterThanOrEqualTo(500);
        assertThat(path.node(2).tunnels().counters()[0] - relayed2)
                .as("frames relayed by node 2")
                .isGreaterThanOrEqualTo(500);
        Forward.Info after = src().tunnels().forwards().join().stream()
                .filter(x -> x.id() == f.id())
                .findFirst()
                .orElseThrow();
        assertThat(after.counters().get("datagrams_out"))
                .isEqualTo(((Number) after.counters().get("datagrams_out")).longValue());
        assertThat(((Number) after.counters().get("datagrams_in")).longValue()).isGreaterThanOrEqualTo(500);
        assertThat(src().tunnels().removeForward(f.id()).join()).isTrue();
    }

    @Test
    void aLargeRandomTcpStreamComesBackByteExactThroughTwoRelays() throws Exception {
        Forward.Info f = forward("tcp:127.0.0.1:0", "db");
        int size = 24 * 1024 * 1024;
        byte[] data = new byte[size];
        new Random(2).nextBytes(data);
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(30_000);
            EchoServices.echoesByteExact(s, data, 50_000);
        }
        assertThat(src().tunnels().removeForward(f.id()).join()).isTrue();
    }

    @Test
    void aTcpStreamClosedByTheApplicationClosesAtTheServiceToo() throws Exception {
        Forward.Info f = forward("tcp:127.0.0.1:0", "db");
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("ping".getBytes());
            byte[] four = new byte[4];
            new DataInputStream(s.getInputStream()).readFully(four);
            assertThat(new String(four)).isEqualTo("ping");
            s.shutdownOutput(); // the echo service sees EOF, closes; the close comes back to us
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        src().tunnels().removeForward(f.id()).join();
    }

    @Test
    void unknownAndUnexposedServicesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> forward("udp:127.0.0.1:0", "nope"))
                .hasCauseInstanceOf(TunnelException.class)
                .hasMessageContaining(
                        "no service 'nope' is exposed at " + path.node(3).id());
        assertThatThrownBy(() -> forward("udp:127.0.0.1:0", "db"))
                .hasCauseInstanceOf(TunnelException.class)
                .hasMessageContaining("service 'db' at " + path.node(3).id() + " is tcp, not udp");
        // a relay exposes nothing: the overlay is not an open proxy
        assertThatThrownBy(() -> src().tunnels()
                        .addForward(new Forward.Spec(
                                Service.Endpoint.parse("tcp:127.0.0.1:0"),
                                path.node(2).id(),
                                "db"))
                        .orTimeout(10, TimeUnit.SECONDS)
                        .join())
                .hasMessageContaining(
                        "no service 'db' is exposed at " + path.node(2).id());
        assertThat(path.node(3).tunnels().counters()[5])
                .as("refusals counted at the destination")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void aServiceThatCannotBeReachedClosesTheStreamWithTheReason() throws Exception {
        Forward.Info f = forward("tcp:127.0.0.1:0", "down");
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> {
                    Forward.Info now = src().tunnels().forwards().join().stream()
                            .filter(x -> x.id() == f.id())
                            .findFirst()
                            .orElseThrow();
                    assertThat(now.counters().get("refused")).isEqualTo(1L);
                    assertThat((String) now.counters().get("last_error")).contains("cannot connect to service 'down'");
                });
        src().tunnels().removeForward(f.id()).join();
    }

    @Test
    void aServiceThatStopsReadingStallsTheSenderAndNoNodeBuffersMoreThanAWindow() throws Exception {
        Forward.Info f = forward("tcp:127.0.0.1:0", "sink");
        int size = 64 * 1024 * 1024;
        byte[] chunk = new byte[64 * 1024];
        new Random(3).nextBytes(chunk);
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        AtomicLong written = new AtomicLong();
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < size; off += chunk.length) {
                        chunk[0] = (byte) (off >> 16);
                        sent.update(chunk);
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    out.flush();
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            // the writer stalls: nothing moves for a second (kernel buffers, one window, the links' queues)
            EchoServices.awaitStandingStill(written);
            assertThat(written.get()).as("the writer was stopped").isLessThan(size);
            for (int i = 0; i < path.size(); i++) {
                long held = path.node(i).tunnels().heldBytes().get(5, TimeUnit.SECONDS);
                assertThat(held)
                        .as("bytes node %d holds for the stalled stream", i)
                        .isLessThanOrEqualTo(TunnelLimits.DEFAULTS.streamWindowBytes() + 512 * 1024);
            }
            sink.release.countDown(); // the service reads again: every byte arrives, in order
            writer.get(60, TimeUnit.SECONDS);
            assertThat(sink.digest.get(60, TimeUnit.SECONDS)).isEqualTo(sent.digest());
            assertThat(sink.read.get()).isEqualTo(size);
        }
        src().tunnels().removeForward(f.id()).join();
    }

    @Test
    void malformedAndOversizedFramesFromAStrangerChangeNothing() throws Exception {
        EgoistNode relay = path.node(1);
        long malformedBefore = relay.tunnels().counters()[4];
        try (Socket s = new Socket("127.0.0.1", relay.id().port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // a frame of another version: dropped and counted, the connection stays
            out.write(new byte[] {0, 0, 0, 0, 40, 9});
            out.write(new byte[39]);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.tunnels().counters()[4] > malformedBefore);
            // a frame longer than the maximum: the connection is closed
            out.write(new byte[] {0, 0x7f, 0, 0, 0});
            out.flush();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        // the relay still carries tunnels
        udpDatagramsComeBackByteExactThroughTwoRelays();
    }
}
