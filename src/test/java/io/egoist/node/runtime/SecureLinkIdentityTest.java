package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.node.NodeConfig;
import io.egoist.node.RouteInfo;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsLineClient;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNetConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, real sockets and mutual TLS: a node knows a link's peer by its certificate. A member with a valid
 * certificate for id X that relays DATA claiming to come from member Y (previous hop Y) has it dropped and counted
 * by the node it speaks to, its link stays up for what it may say as X, and genuine members keep working.
 */
class SecureLinkIdentityTest {
    @TempDir
    Path dir;

    TrackerServer tracker;
    final List<EgoistNode> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (EgoistNode n : nodes) n.close();
        if (tracker != null) tracker.close();
    }

    private static long mismatches(EgoistNode n) throws Exception {
        return n.query(c -> c.counters().identityMismatches).get();
    }

    @Test
    void aMemberSpeakingAsAnotherMemberIsRefusedWhileGenuineMembersKeepWorking() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        tracker = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data")).withRemovePeriodMs(60_000),
                TrackerNetConfig.defaults(),
                TestPki.members(pki.issue("tracker", "tracker")));
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NodeId id = new NodeId("127.0.0.1", SecureOverlayTest.freePair("127.0.0.1"));
            ids.add(id);
            NodeConfig cfg = NodeConfig.defaults(id, "127.0.0.1", tracker.port())
                    .withK(2)
                    .withPingPeriodMs(1_000)
                    .withRewirePeriodMs(1_500)
                    .withTrackerRefreshMs(1_000);
            nodes.add(EgoistNode.start(
                    cfg,
                    new EgoistNode.Options()
                            .bindHost(id.ip())
                            .tls(TestPki.members(pki.issue("n" + i, id.toString())))));
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> nodes.stream()
                        .allMatch(n -> n.routes().join().stream()
                                        .map(RouteInfo::destination)
                                        .distinct()
                                        .count()
                                >= 2));
        EgoistNode a = nodes.get(0), c = nodes.get(2);
        NodeId y = ids.get(1);
        List<EgoistNode.Received> atC = new CopyOnWriteArrayList<>();
        c.onReceive(atC::add);
        long forwardedBefore = a.query(x -> x.counters().dataForwarded).get();

        // member X: a valid certificate of the network CA for an id of its own (not running as a node)
        NodeId x = new NodeId("127.0.0.1", SecureOverlayTest.freePair("127.0.0.1"));
        try (TlsLineClient m =
                new TlsLineClient("127.0.0.1", a.id().port(), TestPki.members(pki.issue("x", x.toString())))) {
            m.up.get();
            m.send("HB@1"); // an egoist peer: its heartbeat is echoed
            assertThat(m.next(5000)).isEqualTo("HB@1");
            // DATA claiming to come from member Y (Y is the previous hop and the source), towards C
            m.send(WireCodec.encode(
                    new Message.Data("forged-1", 8, y, c.id(), List.of(y), "as Y".getBytes(StandardCharsets.UTF_8))));
            await().atMost(Duration.ofSeconds(10)).until(() -> mismatches(a) == 1);
            // dropped, not relayed; the link stays up (a relay's mistake is not bad syntax)
            m.send("HB@2");
            assertThat(m.next(5000)).isEqualTo("HB@2");
            assertThat(a.query(q -> q.counters().dataForwarded).get()).isEqualTo(forwardedBefore);
            // DATA it relays as itself (previous hop X) is not an identity mismatch
            m.send(WireCodec.encode(
                    new Message.Data("own-1", 8, x, c.id(), List.of(x), "as X".getBytes(StandardCharsets.UTF_8))));
            m.send("HB@3");
            assertThat(m.next(5000)).isEqualTo("HB@3");
            assertThat(mismatches(a)).isEqualTo(1);
        }
        // genuine members keep working
        EgoistNode.SendResult r =
                a.send(c.id(), "genuine".getBytes(StandardCharsets.UTF_8)).get();
        assertThat(r.path()).startsWith(a.id()).endsWith(c.id());
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        atC.stream().anyMatch(g -> new String(g.payload(), StandardCharsets.UTF_8).equals("genuine")));
        assertThat(atC).noneMatch(g -> new String(g.payload(), StandardCharsets.UTF_8).equals("as Y"));
        assertThat(atC).allMatch(g -> g.from().equals(a.id()));
        for (EgoistNode n : nodes) if (n != a) assertThat(mismatches(n)).isZero();
    }
}
