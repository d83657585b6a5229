package io.egoist.compat;

import static io.egoist.compat.OurNodes.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.compat.V02Node.Config;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.OutboundDelay;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.tunnel.EchoServices;
import io.egoist.tunnel.Forward;
import io.egoist.tunnel.Service;
import io.egoist.wire.NodeId;
import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tunnels in an overlay with v0.2 nodes (the setting of {@link MixedOverlayTest}: o1's shortest path to o3 runs
 * through a v0.2 node): UDP and TCP forwards from o1 to o3 work, and no v0.2 node is ever sent a frame.
 */
class TunnelsAroundV02Test {
    private static final Duration WAIT = Duration.ofSeconds(25);

    @TempDir
    Path dir;

    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void forwardsWorkAndNoV02NodeIsEverSentAFrame() throws Exception {
        EchoServices services = closer.track(new EchoServices());
        TrackerServer tracker = closer.track(
                TrackerServer.start(TrackerConfig.forTest(dir).withHttpPort(-1).withExpireAfterMs(60_000)));
        int tp = tracker.port();
        EgoistNode o2 = closer.track(OurNodes.start(OurNodes.config(tp, 4)));
        EgoistNode o3 = closer.track(EgoistNode.start(
                OurNodes.config(tp, 4),
                new EgoistNode.Options()
                        .ephemeralPort(true)
                        .bindHost("127.0.0.1")
                        .expose(List.of(
                                new Service("echo", Service.Proto.UDP, "127.0.0.1", services.udpPort()),
                                new Service("db", Service.Proto.TCP, "127.0.0.1", services.tcpPort())))));
        Set<Integer> slow = Set.of(
                o2.id().port(), o2.id().port() + 1, o3.id().port(), o3.id().port() + 1);
        OutboundDelay delay = (host, port) -> slow.contains(port) ? 40 : 0;
        EgoistNode o1 = closer.track(OurNodes.start(OurNodes.config(tp, 4), delay));
        await().atMost(WAIT)
                .until(() -> List.of(o1, o2, o3).stream()
                        .noneMatch(n -> OurNodes.status(n).phase().equals("JOINING")));
        Config v02 = new Config(3, Duration.ofMillis(200), Duration.ofMillis(300));
        V02Node v1 = closer.track(V02Node.start(tp, v02));
        V02Node v2 = closer.track(V02Node.start(tp, v02));
        Set<String> legacy = Set.of(v1.id(), v2.id());

        await().atMost(WAIT).untilAsserted(() -> {
            // the overlay's shortest path runs through v0.2 nodes (DATA's own route avoids them)
            Optional<RouteInfo> r = OurNodes.read(
                    o1,
                    c -> c.overlayRoutes().stream()
                            .filter(x -> x.destination().equals(o3.id()))
                            .findFirst());
            assertThat(r).isPresent();
            assertThat(r.get().path().stream().map(NodeId::toString)).containsAnyElementsOf(legacy);
        });
        await().atMost(WAIT).until(() -> {
            o1.tunnels().refreshNow().get(5, TimeUnit.SECONDS);
            o3.tunnels().refreshNow().get(5, TimeUnit.SECONDS);
            return o1.tunnels().hasRoute(o3.id()) && o3.tunnels().hasRoute(o1.id());
        });

        Forward.Info udp = o1.tunnels()
                .addForward(new Forward.Spec(Service.Endpoint.parse("udp:127.0.0.1:0"), o3.id(), "echo"))
                .get(10, TimeUnit.SECONDS);
        Random rnd = new Random(4);
        try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            c.setSoTimeout(5_000);
            int port = udp.port();
            for (int i = 0; i < 50; i++) {
                byte[] d = new byte[1_200];
                rnd.nextBytes(d);
                c.send(new DatagramPacket(d, d.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket p = new DatagramPacket(new byte[2_000], 2_000);
                c.receive(p);
                assertThat(Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(d);
            }
        }
        Forward.Info tcp = o1.tunnels()
                .addForward(new Forward.Spec(Service.Endpoint.parse("tcp:127.0.0.1:0"), o3.id(), "db"))
                .get(10, TimeUnit.SECONDS);
        byte[] data = new byte[1 << 20];
        rnd.nextBytes(data);
        try (Socket s = new Socket("127.0.0.1", tcp.port())) {
            s.setSoTimeout(20_000);
            Thread w = new Thread(() -> {
                try {
                    s.getOutputStream().write(data);
                } catch (Exception e) {
                    // the read below fails
                }
            });
            w.start();
            byte[] back = new byte[data.length];
            new DataInputStream(s.getInputStream()).readFully(back);
            assertThat(back).isEqualTo(data);
            w.join(10_000);
        }

        for (V02Node v : List.of(v1, v2)) {
            assertThat(v.mainLines())
                    .as("lines on %s's main port", v)
                    .allSatisfy(l -> assertThat(l).matches("(UPT@[0-9a-f]+@[0-9]+@.*|TRD@?)"))
                    .noneMatch(l -> l.indexOf('\0') >= 0);
            assertThat(v.neighbors()).as("%s kept its links to us", v).contains(id(o1), id(o3));
        }
    }
}
