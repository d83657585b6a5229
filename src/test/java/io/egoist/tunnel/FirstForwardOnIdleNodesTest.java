package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.wire.NodeId;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A forward made on nodes whose tunnel planes have been idle works on the first try, also after the overlay changed
 * (a relay died and was routed around). Idle nodes take their forwarding tables every few seconds, a forward whose
 * next hop is missing or dead takes a fresh one first, and the CHECK is sent again while relays catch up. Before,
 * an idle node never took its table, so the forward failed with "no route" although the overlay had one.
 */
class FirstForwardOnIdleNodesTest {

    private static final int N = 5;

    @Test
    void aForwardMadeOnIdleNodesAfterARelayDiedWorksAtOnce() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread echoer = new Thread(() -> echoLoop(echo), "test-udp-echo");
            echoer.setDaemon(true);
            echoer.start();
            Service svc = Service.parse("echo=udp:127.0.0.1:" + echo.getLocalPort());
            LatencyMatrix ripe = LatencyMatrix.ripe();
            try (LocalOverlay o = LocalOverlay.start(new LocalOverlay.Settings()
                    .matrix(ripe.subset(Demo.spreadOut(ripe, N)))
                    .k(1)
                    .seed(5)
                    .nodeOptions((i, opts) -> opts.expose(List.of(svc))))) {
                // the nodes are idle past the first 10 s after their start (while a tunnel plane counts as in use)
                // and route to each other; node 0 has a route of at least two hops, whose relay is then killed
                long started = System.nanoTime();
                int[] dst = {-1};
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> System.nanoTime() - started > 12_000_000_000L
                                && allRoute(o)
                                && (dst[0] = twoHopDestination(o)) > 0);
                List<NodeId> before = o.node(0)
                        .route(o.node(dst[0]).id())
                        .join()
                        .orElseThrow()
                        .path();
                int relay = o.indexOf(before.get(1));
                o.kill(relay);
                NodeId dead = o.node(relay).id();
                // the overlay has routed around it: the forwarding tables taken before are now stale
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> allRoute(o)
                                && !o.node(0)
                                        .route(o.node(dst[0]).id())
                                        .join()
                                        .orElseThrow()
                                        .path()
                                        .contains(dead));
                long relayedBefore = 0;
                for (int i : o.liveIndices())
                    relayedBefore += o.node(i).tunnels().counters()[0];
                List<NodeId> path = o.node(0)
                        .route(o.node(dst[0]).id())
                        .join()
                        .orElseThrow()
                        .path();
                Forward.Info info = o.node(0)
                        .tunnels()
                        .addForward(new Forward.Spec(
                                Service.Endpoint.parse("udp:127.0.0.1:0"),
                                o.node(dst[0]).id(),
                                "echo"))
                        .get(20, TimeUnit.SECONDS);
                int port = Service.Endpoint.parse(info.listen()).port();

                byte[] sent = "first datagram over an idle overlay".getBytes(StandardCharsets.UTF_8);
                byte[] back = null;
                try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    c.setSoTimeout(1_000);
                    for (int attempt = 0; attempt < 10 && back == null; attempt++) {
                        c.send(new DatagramPacket(sent, sent.length, new InetSocketAddress("127.0.0.1", port)));
                        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                        try {
                            c.receive(p);
                            back = java.util.Arrays.copyOf(p.getData(), p.getLength());
                        } catch (java.net.SocketTimeoutException e) {
                            // the exit may hold the first datagram while its socket opens: send again
                        }
                    }
                }
                assertThat(back).as("echo through the tunnel").isEqualTo(sent);
                long relayedAfter = 0;
                for (int i : o.liveIndices())
                    relayedAfter += o.node(i).tunnels().counters()[0];
                if (path.size() > 2)
                    assertThat(relayedAfter).as("frames relayed").isGreaterThan(relayedBefore);
            }
        }
    }

    /** Every live node has a route to every other live node. */
    private static boolean allRoute(LocalOverlay o) {
        for (int i : o.liveIndices())
            for (int j : o.liveIndices())
                if (i != j && o.node(i).route(o.node(j).id()).join().isEmpty()) return false;
        return true;
    }

    /** A destination node 0 reaches over at least one relay, or -1. */
    private static int twoHopDestination(LocalOverlay o) {
        for (int j : o.liveIndices()) {
            if (j == 0) continue;
            var r = o.node(0).route(o.node(j).id()).join();
            if (r.isPresent()
                    && r.get().path().size() > 2
                    && o.indexOf(r.get().path().get(1)) != j) return j;
        }
        return -1;
    }

    private static void echoLoop(DatagramSocket s) {
        byte[] buf = new byte[2048];
        while (!s.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                s.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            } catch (java.io.IOException e) {
                return;
            }
        }
    }
}
