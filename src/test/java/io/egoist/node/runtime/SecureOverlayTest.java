package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoist.node.NodeConfig;
import io.egoist.node.RouteInfo;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsLineClient;
import io.egoist.security.tls.TlsMembers;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNetConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.NodeId;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A secure overlay on real sockets: a tracker and four member nodes over mutual TLS join, wire, route and deliver;
 * a node with a certificate of another CA, and plain or foreign-CA clients, get nothing from any port.
 */
class SecureOverlayTest {
    @TempDir
    Path dir;

    TrackerServer tracker;
    final List<EgoistNode> nodes = new ArrayList<>();
    ListAppender<ILoggingEvent> logs;

    @AfterEach
    void tearDown() {
        for (EgoistNode n : nodes) n.close();
        if (tracker != null) tracker.close();
        if (logs != null) ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    /** A port P on {@code ip} with P + 1 free too (a node's pair), found by binding. */
    static int freePair(String ip) throws Exception {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket a = new ServerSocket()) {
                a.bind(new InetSocketAddress(ip, 0));
                int p = a.getLocalPort();
                if (p >= 65535) continue;
                try (ServerSocket b = new ServerSocket()) {
                    b.bind(new InetSocketAddress(ip, p + 1));
                    return p;
                } catch (java.io.IOException taken) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no free port pair");
    }

    EgoistNode startNode(NodeId id, TlsMembers tls) {
        NodeConfig cfg = NodeConfig.defaults(id, "127.0.0.1", tracker.port())
                .withK(2)
                .withPingPeriodMs(1_000)
                .withRewirePeriodMs(1_500)
                .withTrackerRefreshMs(1_000);
        EgoistNode n =
                EgoistNode.start(cfg, new EgoistNode.Options().bindHost(id.ip()).tls(tls));
        nodes.add(n);
        return n;
    }

    @Test
    void membersFormTheOverlayAndStrangersGetNothingFromAnyPort() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        TestPki pki = new TestPki(dir.resolve("pki"));
        tracker = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data")).withRemovePeriodMs(60_000),
                TrackerNetConfig.defaults(),
                TestPki.members(pki.issue("tracker", "tracker")));
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NodeId id = new NodeId("127.0.0.1", freePair("127.0.0.1"));
            ids.add(id);
            startNode(id, TestPki.members(pki.issue("n" + i, id.toString())));
        }
        List<EgoistNode.Received> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        nodes.get(3).onReceive(got::add);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> nodes.stream().allMatch(n -> {
                    List<RouteInfo> routes = n.routes().join();
                    return routes.stream()
                                    .map(RouteInfo::destination)
                                    .distinct()
                                    .count()
                            >= ids.size() - 1;
                }));
        EgoistNode.SendResult sent = nodes.get(0)
                .send(ids.get(3), "over tls".getBytes(StandardCharsets.UTF_8))
                .get();
        assertThat(sent.path()).startsWith(ids.get(0)).endsWith(ids.get(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> !got.isEmpty());
        assertThat(new String(got.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("over tls");
        assertThat(got.get(0).from()).isEqualTo(ids.get(0));

        // a node with a certificate of another CA: the tracker and it refuse each other at the handshake
        TestPki other = new TestPki(dir.resolve("other"));
        NodeId strangerId = new NodeId("127.0.0.2", freePair("127.0.0.2"));
        startNode(strangerId, TestPki.members(other.issue("s", strangerId.toString())));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logs.list.stream()
                        .map(ILoggingEvent::getFormattedMessage)
                        .anyMatch(m -> m.startsWith("event=tracker_unreachable node=" + strangerId)
                                && m.contains("reason=tls: not a member: not signed by a CA of the bundle")));
        assertThat(tracker.snapshot().nodeCount()).isEqualTo(4);
        assertThat(tracker.snapshot().node(strangerId)).isEmpty();
        for (int i = 0; i < 4; i++) {
            assertThat(nodes.get(i).routes().join()).noneMatch(r -> r.path().contains(strangerId));
        }

        // the member ports: a plain line or a foreign certificate gets no answer and a close
        TlsMembers foreign = TestPki.members(other.issue("f", ids.get(1).toString()));
        NodeId target = ids.get(2);
        for (int port : new int[] {target.port(), target.echoPort()}) {
            for (TlsMembers stranger : new TlsMembers[] {null, foreign}) {
                try (TlsLineClient c = new TlsLineClient("127.0.0.1", port, stranger)) {
                    c.send("PING@1");
                    c.send("HB");
                    c.send("DATA@x@" + ids.get(0) + "@" + ids.get(3) + "@5@aGk=");
                    c.closed.get();
                    assertThat(c.lines).isEmpty();
                }
            }
        }
        // while a member's probe over the established TLS connection is answered
        try (TlsLineClient c = new TlsLineClient(
                "127.0.0.1",
                target.echoPort(),
                TestPki.members(pki.issue("m", ids.get(1).toString())))) {
            c.up.get();
            c.send("PING@7");
            assertThat(c.next(5000)).isEqualTo("PING@7");
        }
        assertThat(tracker.snapshot().nodeCount()).isEqualTo(4);
    }
}
