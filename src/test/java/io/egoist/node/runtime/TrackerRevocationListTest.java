package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoist.node.NodeConfig;
import io.egoist.node.RouteInfo;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.CredentialWatcher;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsLineClient;
import io.egoist.security.tls.TlsMembers;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNetConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The tracker serves the CA-signed revocation list of its {@code --crl} file; nodes that have no list of their
 * own fetch it at every refresh, obey it, and refuse an older one. Real sockets, real TLS; only the tracker
 * watches a file.
 */
class TrackerRevocationListTest {
    @TempDir
    Path dir;

    TestPki pki;
    Path trackerCrl;
    TrackerServer tracker;
    CredentialWatcher trackerWatcher;
    final List<EgoistNode> nodes = new ArrayList<>();
    final List<TlsMembers> nodeTls = new ArrayList<>();
    final List<NodeId> ids = new ArrayList<>();
    ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void setUp() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        ((Logger) LoggerFactory.getLogger(RevocationFetch.class)).setLevel(ch.qos.logback.classic.Level.INFO);
        pki = new TestPki(dir.resolve("pki"));
        // the tracker's own copy of the list: replacing it is how an operator publishes a revocation
        trackerCrl = dir.resolve("tracker-crl.pem");
        Files.copy(pki.dir.resolve("ca").resolve(NetworkCa.CRL), trackerCrl);
        TlsMembers trackerTls = TestPki.members(pki.issue("tracker", "tracker"));
        trackerTls.revocationFile(trackerCrl);
        tracker = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data"))
                        .withRemovePeriodMs(1_000)
                        .withPingTimeoutMs(500),
                TrackerNetConfig.defaults(),
                trackerTls);
        trackerWatcher = CredentialWatcher.start(trackerTls, 200, tracker::recheckTls);
        for (int i = 0; i < 4; i++) {
            NodeId id = new NodeId("127.0.0.1", SecureOverlayTest.freePair("127.0.0.1"));
            TlsMembers tls = TestPki.members(pki.issue("n" + i, id.toString())); // no --crl, no file watcher
            NodeConfig cfg = NodeConfig.defaults(id, "127.0.0.1", tracker.port())
                    .withK(2)
                    .withPingPeriodMs(1_000)
                    .withRewirePeriodMs(1_500)
                    .withTrackerRefreshMs(1_000);
            ids.add(id);
            nodeTls.add(tls);
            nodes.add(EgoistNode.start(cfg, new EgoistNode.Options().tls(tls)));
        }
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger(RevocationFetch.class)).setLevel(null);
        trackerWatcher.close();
        for (EgoistNode n : nodes) n.close();
        tracker.close();
    }

    /** Publishes a list at the tracker the way an operator would: a copy, then a rename over the served file. */
    void publish(Path crl) throws Exception {
        Path tmp = dir.resolve("crl.tmp");
        Files.copy(crl, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, trackerCrl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    boolean routesAvoid(NodeId revoked) {
        for (EgoistNode n : nodes.subList(0, 3)) {
            if (n.routes().join().stream().anyMatch(r -> r.path().contains(revoked))) return false;
        }
        return true;
    }

    boolean everyoneRoutesTo(List<NodeId> among) {
        for (EgoistNode n : nodes) {
            if (!among.contains(n.id())) continue;
            List<NodeId> dests =
                    n.routes().join().stream().map(RouteInfo::destination).toList();
            for (NodeId d : among) if (!d.equals(n.id()) && !dests.contains(d)) return false;
        }
        return true;
    }

    @Test
    void aMemberRevokedAtTheTrackerIsCutOffByNodesThatFetchTheList() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> everyoneRoutesTo(ids));
        // the empty list was fetched at join: nothing revoked yet, and no node has a list of its own
        for (TlsMembers t : nodeTls) {
            assertThat(t.fileRevocations().crls()).isEmpty();
            assertThat(t.revocations().size()).isZero();
        }
        Path older = dir.resolve("older-crl.pem");
        Files.copy(pki.dir.resolve("ca").resolve(NetworkCa.CRL), older);
        NodeId revoked = ids.get(3);

        pki.ca.revoke(MemberId.of(revoked), Instant.now());
        publish(pki.dir.resolve("ca").resolve(NetworkCa.CRL));

        // every other node takes the list at its next refresh and cuts the revoked member's connections
        await().atMost(Duration.ofSeconds(30))
                .until(() -> nodeTls.subList(0, 3).stream()
                        .allMatch(t -> t.revocations().size() == 1));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> tracker.snapshot().node(revoked).isEmpty() && routesAvoid(revoked));
        try (TlsLineClient c =
                new TlsLineClient("127.0.0.1", ids.get(0).echoPort(), TestPki.members(pki.dir.resolve("n3")))) {
            c.send("PING@1");
            c.closed.get();
            assertThat(c.lines).isEmpty();
        }
        assertThat(logs.list)
                .anyMatch(e -> e.getFormattedMessage().startsWith("event=crl-fetch node=" + ids.get(0))
                        && e.getFormattedMessage().contains("result=changed"));

        // the tracker now serves the older list (rolled back): every node refuses it, and the revocation stays
        long refusedBefore = nodes.get(0).revocationFetch().refusedCount();
        publish(older);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> nodes.get(0).revocationFetch().refusedCount() > refusedBefore);
        assertThat(nodeTls.get(0).revocations().size()).isEqualTo(1);
        assertThat(nodeTls.get(0).fetchedRevocations().crls()).hasSize(1);
        assertThat(RevocationList.number(
                        nodeTls.get(0).fetchedRevocations().crls().get(0)))
                .isEqualTo(java.math.BigInteger.TWO);
        assertThat(logs.list)
                .anyMatch(e -> e.getFormattedMessage().startsWith("event=crl-fetch-refused node=" + ids.get(0))
                        && e.getFormattedMessage().contains("is older than the one held")
                        && e.getFormattedMessage().contains("kept=previous"));
        await().atMost(Duration.ofSeconds(30)).until(() -> everyoneRoutesTo(ids.subList(0, 3)));
        try (TlsLineClient c =
                new TlsLineClient("127.0.0.1", ids.get(1).echoPort(), TestPki.members(pki.dir.resolve("n3")))) {
            c.send("PING@1");
            c.closed.get();
            assertThat(c.lines).isEmpty();
        }
    }
}
