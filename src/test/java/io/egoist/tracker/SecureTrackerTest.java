package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoist.security.ca.CaBundle;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsLineClient;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The tracker in secure mode on real sockets: members by the id in their certificate, strangers refused. */
class SecureTrackerTest {
    @TempDir
    Path dir;

    TestPki pki;
    TlsMembers trackerTls;
    TrackerServer server;
    ListAppender<ILoggingEvent> logs;

    static final NodeId A = NodeId.parse("127.0.0.1:7000"), B = NodeId.parse("127.0.0.1:7002");

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(dir.resolve("pki"));
        trackerTls = TestPki.members(pki.issue("tracker", "tracker"));
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        server = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data"))
                        .withRemovePeriodMs(60_000)
                        .withPingTimeoutMs(300),
                TrackerNetConfig.defaults(),
                trackerTls);
    }

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    TlsLineClient member(TlsMembers m) throws Exception {
        TlsLineClient c = new TlsLineClient("127.0.0.1", server.port(), m);
        c.up.get();
        return c;
    }

    @Test
    void aMemberRegistersAndUpdatesOnlyTheIdInItsCertificate() throws Exception {
        TlsMembers a = TestPki.members(pki.issue("a", A.toString()));
        TestPki.members(pki.issue("b", B.toString()));
        try (TlsLineClient c = member(a)) {
            c.send("REG@" + A);
            assertThat(c.next(5000)).isEqualTo("REG@" + A + "#");
        }
        try (TlsLineClient c = member(a)) {
            c.send("REG@" + B);
            assertThat(c.next(5000))
                    .isEqualTo("NACK@node: id " + B + " is not the id in the sender's certificate (" + A + ")");
            c.closed.get();
        }
        try (TlsLineClient c = member(a)) {
            c.send("UPT@" + B + "@" + A + "@5|");
            assertThat(c.next(5000)).startsWith("NACK@src: id " + B + " is not the id in the sender's certificate");
        }
        try (TlsLineClient c = member(a)) {
            c.send("UPT@" + A + "@" + B + "@5|");
            c.closed.get();
        }
        TrackerSnapshot snap = server.snapshot();
        assertThat(snap.nodeCount()).isEqualTo(1);
        assertThat(snap.node(A).orElseThrow().links()).hasSize(1);
        assertThat(snap.node(B)).isEmpty();
    }

    @Test
    void strangersAreRefusedAtTheHandshakeLoggedOnceAndChangeNothing() throws Exception {
        TlsMembers a = TestPki.members(pki.issue("a", A.toString()));
        try (TlsLineClient c = member(a)) {
            c.send("REG@" + A);
            assertThat(c.next(5000)).startsWith("REG@");
        }
        TestPki other = new TestPki(dir.resolve("other"));
        TlsMembers otherCa = TestPki.members(other.issue("b", B.toString()));
        TlsMembers expired = TestPki.expiredMembers(pki.expired("old", B.toString()));
        TlsMembers revoked = TestPki.members(pki.issue("r", B.toString()));
        pki.ca.revoke(MemberId.of(B), java.time.Instant.now());
        trackerTls.revocations(
                RevocationList.load(pki.dir.resolve("ca/crl.pem"), CaBundle.load(pki.dir.resolve("ca/ca.crt"))));

        for (TlsMembers stranger : new TlsMembers[] {null, otherCa, expired, revoked}) {
            for (String line : List.of("REG@" + B, "UPT@" + A + "@" + B + "@1|", "RMV@" + A)) {
                try (TlsLineClient c = new TlsLineClient("127.0.0.1", server.port(), stranger)) {
                    c.send(line);
                    c.closed.get();
                    assertThat(c.lines)
                            .as("a stranger's %s gets no answer", line)
                            .isEmpty();
                }
            }
        }
        TrackerSnapshot snap = server.snapshot();
        assertThat(snap.nodeCount()).isEqualTo(1);
        assertThat(snap.node(A).orElseThrow().links()).isEmpty();
        assertThat(snap.node(A).orElseThrow().suspect()).isFalse();
        // one line per peer address (all of these came from 127.0.0.1), with the address and the reason
        List<String> refused = logs.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("event=tls-refused at=tracker "))
                .filter(m -> !m.contains("again=true"))
                .toList();
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0)).contains("peer=127.0.0.1:").contains("reason=");
    }

    @Test
    void aMemberMayReportAnotherAndTheReportIsStillCheckedByProbing() throws Exception {
        TlsMembers a = TestPki.members(pki.issue("a", A.toString()));
        TlsMembers b = TestPki.members(pki.issue("b", B.toString()));
        for (var m : List.of(a, b)) {
            try (TlsLineClient c = member(m)) {
                c.send("REG@" + m.id());
                assertThat(c.next(5000)).startsWith("REG@");
            }
        }
        try (TlsLineClient c = member(a)) {
            c.send("RMV@" + B);
            c.closed.get();
        }
        // nothing answers on B's echo port: the probe at the report fails; B stays a suspect until the sweep
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.snapshot().node(B).map(TrackerNode::suspect).orElse(false));
        assertThat(server.snapshot().node(A).orElseThrow().suspect()).isFalse();
    }
}
