package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.core.ConnId;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.links.DirectLinks;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.LatencyEmulation;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.wire.NodeId;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fallback of a best-mode tunnel whose first hop cannot be reached directly, on real sockets: 7 nodes on
 * loopback with 7 RIPE countries' latencies, k = 2. The source's emulation refuses its connects to the destination's
 * main port (an emulated firewall, {@link LatencyEmulation#refuseConnects}; the destination stays in the overlay and
 * is still probed). While refused: the direct link fails and is tried again after {@link
 * DirectLinks#RETRY_AFTER_FAILURE_MS}, and datagrams and a byte-exact TCP stream are delivered over the overlay route
 * (the source's tables send them on the out-link of the overlay's next hop, which relays them). Once the destination
 * is reachable, the next retry opens the direct link and the tunnel's frames take it.
 */
class DirectLinkFallbackTest {
    private static final int N = 7;

    private EchoServices echo;
    private LocalOverlay overlay;

    @AfterEach
    void stop() throws Exception {
        if (overlay != null) overlay.close();
        if (echo != null) echo.close();
    }

    private record Pair(int source, int target, NodeId overlayNextHop) {}

    /** A source and a target whose best route is straight to the target (a non-neighbor) and whose overlay route has a relay. */
    private Pair pick() {
        for (int i = 0; i < N; i++) {
            EgoistNode s = overlay.node(i);
            List<NodeId> neighbors = s.query(c -> c.neighbors()).join();
            for (int j = 0; j < N; j++) {
                if (i == j) continue;
                NodeId t = overlay.node(j).id();
                Route best = s.route(t, RouteMode.BEST).join().orElse(null);
                Route over = s.route(t, RouteMode.OVERLAY).join().orElse(null);
                if (best == null || over == null || neighbors.contains(t)) continue;
                if (best.path().size() == 2 && !best.viaOutLink() && over.path().size() >= 3)
                    return new Pair(i, j, over.nextHop());
            }
        }
        return null;
    }

    private boolean everyoneRoutesBoth() {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                if (i == j) continue;
                for (RouteMode m : RouteMode.values())
                    if (overlay.node(i).route(overlay.node(j).id(), m).join().isEmpty()) return false;
            }
        return true;
    }

    private static ForwardingTable.Tables tables(EgoistNode n, NodeId dst) {
        return n.query(c -> ForwardingTable.tables(c, Set.of(dst))).join();
    }

    private static ConnId directConn(EgoistNode n, NodeId peer) {
        return n.query(c -> c.directLinkConn(peer).orElse(null)).join();
    }

    private static int forward(EgoistNode from, NodeId to, String proto, String service) {
        Forward.Info f = from.tunnels()
                .addForward(
                        new Forward.Spec(Service.Endpoint.parse(proto + ":127.0.0.1:0"), to, service, RouteMode.BEST))
                .join();
        return Service.Endpoint.parse(f.listen()).port();
    }

    @Test
    void framesTakeTheOverlayRouteWhileTheDirectLinkIsRefusedAndTheDirectLinkOnceItConnects() throws Exception {
        echo = new EchoServices();
        List<Service> services = List.of(
                new Service("echo", Service.Proto.UDP, "127.0.0.1", echo.udpPort()),
                new Service("db", Service.Proto.TCP, "127.0.0.1", echo.tcpPort()));
        LatencyMatrix ripe = LatencyMatrix.ripe();
        overlay = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(ripe.subset(Demo.spreadOut(ripe, N)))
                .k(2)
                .seed(3)
                .tune(c -> c.withPingPeriodMs(1_000).withRewirePeriodMs(1_500).withTrackerRefreshMs(2_000))
                .nodeOptions((i, o) -> o.expose(services)));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(this::everyoneRoutesBoth);
        Pair[] picked = new Pair[1];
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .alias("a best route straight to a non-neighbor whose overlay route has a relay")
                .until(() -> (picked[0] = pick()) != null);
        Pair p = picked[0];
        EgoistNode source = overlay.node(p.source());
        NodeId target = overlay.node(p.target()).id();
        LatencyEmulation emulation = source.emulation().orElseThrow();
        emulation.refuseConnects(target, true);

        int udpPort = forward(source, target, "udp", "echo");
        int tcpPort = forward(source, target, "tcp", "db");
        Random rnd = new Random(7);
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5_000);
            // the tunnel plane asks for the direct link; its connect is refused; it is tried again after the back-off
            await().atMost(Duration.ofSeconds(3 * DirectLinks.RETRY_AFTER_FAILURE_MS / 1000 + 10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> emulation.refusedConnects() >= 2);

            // meanwhile: the best table has no entry for the target, so frames take the overlay table's out-link
            NodeId nextHop =
                    source.route(target, RouteMode.OVERLAY).join().orElseThrow().nextHop();
            ForwardingTable.Tables t = tables(source, target);
            assertThat(t.directFirstHops()).contains(target); // the best route wants a direct link ...
            assertThat(t.best()).doesNotContainKey(target); // ... which is not up
            assertThat(t.overlay().get(target))
                    .isEqualTo(source.query(c -> c.upLinkConn(nextHop).orElse(null))
                            .join());
            assertThat(directConn(source, target)).isNull();
            int relay = overlay.indexOf(nextHop);
            long relayedBefore = overlay.node(relay).tunnels().counters()[0];
            int datagrams = 30;
            for (int i = 0; i < datagrams; i++) {
                byte[] d = new byte[1 + rnd.nextInt(1_200)];
                rnd.nextBytes(d);
                EchoServices.udpEchoOnce(client, udpPort, d);
            }
            byte[] stream = new byte[1 << 20];
            rnd.nextBytes(stream);
            try (Socket s = new Socket("127.0.0.1", tcpPort)) {
                s.setSoTimeout(30_000);
                EchoServices.echoesByteExact(s, stream, 16_384);
            }
            assertThat(overlay.node(relay).tunnels().counters()[0] - relayedBefore)
                    .as("the overlay's next hop relayed the frames there")
                    .isGreaterThanOrEqualTo(datagrams);
            assertThat(directConn(source, target)).as("still refused").isNull();

            // the target becomes reachable: the next retry connects and the best table uses the direct link
            long refused = emulation.refusedConnects();
            emulation.refuseConnects(target, false);
            await().atMost(Duration.ofSeconds(DirectLinks.RETRY_AFTER_FAILURE_MS / 1000 + 15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        ConnId d = directConn(source, target);
                        return d != null
                                && d.equals(tables(source, target).best().get(target));
                    });
            assertThat(emulation.refusedConnects()).isEqualTo(refused);
            assertThat(source.query(c -> c.directLinks()).join()).contains(target);
            source.tunnels().refreshNow().join();
            for (int i = 0; i < datagrams; i++) {
                byte[] d = new byte[1 + rnd.nextInt(1_200)];
                rnd.nextBytes(d);
                EchoServices.udpEchoOnce(client, udpPort, d);
            }
            try (Socket s = new Socket("127.0.0.1", tcpPort)) {
                s.setSoTimeout(30_000);
                EchoServices.echoesByteExact(s, stream, 16_384);
            }
            ConnId link = directConn(source, target);
            assertThat(link)
                    .as("the direct link stayed up while frames took it")
                    .isNotNull();
            assertThat(tables(source, target).best()).containsEntry(target, link);
        }
    }
}
