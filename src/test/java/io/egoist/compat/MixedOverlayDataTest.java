package io.egoist.compat;

import static io.egoist.compat.OurNodes.features;
import static io.egoist.compat.OurNodes.neighbors;
import static io.egoist.compat.OurNodes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.compat.V02Node.Config;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.EgoistNode.SendResult;
import io.egoist.runtime.OutboundDelay;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Data in a mixed overlay where cost alone would wire our nodes to v0.2 nodes only (issue 9): three of our nodes
 * (k = 2) 60 ms apart from each other (emulated: 30 ms each way), and three v0.2 nodes ({@link V02Node}, k = 3)
 * on plain loopback that link to all three of ours, under a v0.2 tracker. Through a v0.2 node every node is about
 * 1 ms away, so BR alone picks two v0.2 neighbors and no DATA could leave a node. The wiring keeps a data-capable
 * neighbor (and data-capable paths to every node of ours), the route shown is the one DATA takes, and every send
 * between our nodes is delivered and acknowledged. (Without the data preference in the wiring this test times out
 * waiting for data routes.)
 */
class MixedOverlayDataTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final double ONE_WAY_MS = 30;

    @RegisterExtension
    final Closer closer = new Closer();

    @Test
    void everySendBetweenOurNodesIsDeliveredAndAcknowledged() throws Exception {
        int tp = closer.track(V02Tracker.start(Duration.ofSeconds(60))).port();
        Set<Integer> ourPorts = ConcurrentHashMap.newKeySet();
        OutboundDelay slowBetweenOurs = (host, port) -> ourPorts.contains(port) ? ONE_WAY_MS : 0;
        List<EgoistNode> ours = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EgoistNode n = closer.track(OurNodes.start(OurNodes.config(tp, 2), slowBetweenOurs));
            ourPorts.add(n.id().port());
            ourPorts.add(n.id().port() + 1);
            ours.add(n);
        }
        await().atMost(WAIT)
                .until(() ->
                        ours.stream().noneMatch(n -> OurNodes.status(n).phase().equals("JOINING")));
        Config v02 = new Config(3, Duration.ofMillis(200), Duration.ofMillis(300));
        List<V02Node> legacy = new ArrayList<>();
        for (int i = 0; i < 3; i++) legacy.add(closer.track(V02Node.start(tp, v02)));
        Set<String> legacyIds =
                Set.of(legacy.get(0).id(), legacy.get(1).id(), legacy.get(2).id());
        List<CopyOnWriteArrayList<String>> received = new ArrayList<>();
        for (EgoistNode n : ours) {
            CopyOnWriteArrayList<String> got = new CopyOnWriteArrayList<>();
            n.onReceive(m -> got.add(new String(m.payload(), StandardCharsets.UTF_8)));
            received.add(got);
        }

        // every node of ours knows the v0.2 nodes as such, and routes to every other node of ours over data paths
        await().atMost(WAIT).untilAsserted(() -> {
            for (EgoistNode n : ours) {
                for (V02Node v : legacy) assertThat(features(n, v.id())).isEmpty();
                assertThat(neighbors(n))
                        .hasSize(2)
                        .anySatisfy(nb -> assertThat(legacyIds).doesNotContain(nb));
                for (EgoistNode m : ours) {
                    if (m == n) continue;
                    Optional<RouteInfo> r = route(n, m.id());
                    assertThat(r).as("route %s -> %s", n.id(), m.id()).isPresent();
                    assertThat(r.get().path().stream().map(NodeId::toString)).doesNotContainAnyElementsOf(legacyIds);
                }
            }
        });
        // the bait was real: v0.2 neighbors were chosen where cost allowed (they are ~1 ms from everything)
        assertThat(ours).anySatisfy(n -> assertThat(neighbors(n)).containsAnyElementsOf(legacyIds));

        int sent = 0;
        for (int round = 0; round < 3; round++) {
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    if (a == b) continue;
                    String text = "m" + round + " " + a + ">" + b;
                    SendResult r = ours.get(a)
                            .send(ours.get(b).id(), text.getBytes(StandardCharsets.UTF_8))
                            .get(20, TimeUnit.SECONDS);
                    sent++;
                    assertThat(r.path()).first().isEqualTo(ours.get(a).id());
                    assertThat(r.path()).last().isEqualTo(ours.get(b).id());
                    assertThat(r.path().stream().map(NodeId::toString)).doesNotContainAnyElementsOf(legacyIds);
                    assertThat(received.get(b)).contains(text);
                }
            }
        }
        assertThat(sent).isEqualTo(18);
        // and nothing but v0.2 packets reached a v0.2 node's main port
        for (V02Node v : legacy)
            assertThat(v.mainLines()).allSatisfy(l -> assertThat(l).matches("(UPT@[0-9a-f]+@[0-9]+@.*|TRD@?)"));
    }
}
