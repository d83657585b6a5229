package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.node.NodeConfig;
import io.egoist.node.RouteInfo;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.tls.CredentialWatcher;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsLineClient;
import io.egoist.security.tls.TlsMembers;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNetConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation and rotation while running, on real sockets: every process watches its credential files (as
 * {@code --crl} and the credential options make the CLI do) and re-checks its live connections.
 */
class SecureRevocationTest {
    static final long CHECK_MS = 200;

    @TempDir
    Path dir;

    TrackerServer tracker;
    final List<EgoistNode> nodes = new ArrayList<>();
    final List<CredentialWatcher> watchers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        watchers.forEach(CredentialWatcher::close);
        for (EgoistNode n : nodes) n.close();
        if (tracker != null) tracker.close();
    }

    /** Loads a member's credentials from its directory, with the revocation list at {@code crl}. */
    static TlsMembers load(Path member, Path crl) throws Exception {
        TlsMembers m = TestPki.members(member);
        m.revocationFile(crl);
        return m;
    }

    void startTracker(TlsMembers tls) {
        tracker = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data"))
                        .withRemovePeriodMs(1_000)
                        .withPingTimeoutMs(500),
                TrackerNetConfig.defaults(),
                tls);
        watchers.add(CredentialWatcher.start(tls, CHECK_MS, tracker::recheckTls));
    }

    EgoistNode startNode(NodeId id, TlsMembers tls) {
        NodeConfig cfg = NodeConfig.defaults(id, "127.0.0.1", tracker.port())
                .withK(2)
                .withPingPeriodMs(1_000)
                .withRewirePeriodMs(1_500)
                .withTrackerRefreshMs(1_000);
        EgoistNode n = EgoistNode.start(cfg, new EgoistNode.Options().tls(tls));
        nodes.add(n);
        watchers.add(CredentialWatcher.start(tls, CHECK_MS, n::recheckTls));
        return n;
    }

    boolean everyoneRoutesTo(List<NodeId> ids) {
        for (EgoistNode n : nodes) {
            if (!ids.contains(n.id())) continue;
            List<NodeId> dests =
                    n.routes().join().stream().map(RouteInfo::destination).toList();
            for (NodeId d : ids) if (!d.equals(n.id()) && !dests.contains(d)) return false;
        }
        return true;
    }

    @Test
    void aMemberRevokedWhileRunningIsCutOffEverywhere() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        Path crl = pki.dir.resolve("ca").resolve(NetworkCa.CRL);
        startTracker(load(pki.issue("tracker", "tracker"), crl));
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NodeId id = new NodeId("127.0.0.1", SecureOverlayTest.freePair("127.0.0.1"));
            ids.add(id);
            startNode(id, load(pki.issue("n" + i, id.toString()), crl));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> everyoneRoutesTo(ids));
        NodeId revoked = ids.get(3);

        pki.ca.revoke(MemberId.of(revoked), Instant.now());

        List<NodeId> rest = ids.subList(0, 3);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> tracker.snapshot().node(revoked).isEmpty()
                        && nodes.subList(0, 3).stream()
                                .allMatch(n -> n.routes().join().stream()
                                        .noneMatch(r -> r.path().contains(revoked))));
        // the revoked node gets no handshake anywhere, and the rest still deliver to each other
        try (TlsLineClient c =
                new TlsLineClient("127.0.0.1", ids.get(0).echoPort(), TestPki.members(pki.dir.resolve("n3")))) {
            c.send("PING@1");
            c.closed.get();
            assertThat(c.lines).isEmpty();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> everyoneRoutesTo(rest));
        assertThat(nodes.get(0)
                        .send(ids.get(2), "still here".getBytes(StandardCharsets.UTF_8))
                        .get()
                        .path())
                .endsWith(ids.get(2));
    }

    @Test
    void rotationToANewCaKeepsTheOverlayRunning() throws Exception {
        TestPki old = new TestPki(dir.resolve("old"));
        NetworkCa neu = NetworkCa.init(dir.resolve("new-ca"), Instant.now().minus(Duration.ofDays(1)), 3650);
        List<Path> memberDirs = new ArrayList<>();
        Path empty = dir.resolve("empty-crl.pem");
        Files.writeString(empty, "");
        memberDirs.add(old.issue("tracker", "tracker"));
        startTracker(load(memberDirs.get(0), empty));
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NodeId id = new NodeId("127.0.0.1", SecureOverlayTest.freePair("127.0.0.1"));
            ids.add(id);
            Path d = old.issue("n" + i, id.toString());
            memberDirs.add(d);
            startNode(id, load(d, empty));
        }
        List<String> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        nodes.get(2).onReceive(r -> delivered.add(new String(r.payload(), StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(60)).until(() -> everyoneRoutesTo(ids));
        int sent = 0;

        // 1. every bundle gains the new CA
        for (Path d : memberDirs) {
            Path bundle = d.resolve(NetworkCa.BUNDLE);
            Files.writeString(
                    bundle,
                    Files.readString(bundle) + Files.readString(neu.dir().resolve(NetworkCa.CA_CERT)));
        }
        sendAndAwait(ids, "after-bundle", delivered, ++sent);
        // 2. members get certificates of the new CA one by one (the writer also keeps the bundle at old + new)
        for (int i = 0; i < memberDirs.size(); i++) {
            Path d = memberDirs.get(i);
            neu.writeMember(neu.issue(i == 0 ? MemberId.TRACKER : MemberId.of(ids.get(i - 1)), Instant.now(), 30), d);
            sendAndAwait(ids, "after-cert-" + i, delivered, ++sent);
        }
        // 3. the old CA is dropped everywhere: connections still authenticated with old certificates are re-made
        for (Path d : memberDirs) {
            Path tmp = d.resolve("bundle.tmp");
            Files.copy(neu.dir().resolve(NetworkCa.CA_CERT), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, d.resolve(NetworkCa.BUNDLE), StandardCopyOption.REPLACE_EXISTING);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> everyoneRoutesTo(ids));
        sendAndAwait(ids, "after-drop", delivered, ++sent);
        assertThat(delivered).hasSize(sent);

        // a member still holding a certificate of the old CA is now a stranger
        TlsMembers stale = TestPki.members(old.issue("stale", ids.get(1).toString()));
        try (TlsLineClient c = new TlsLineClient("127.0.0.1", ids.get(0).echoPort(), stale)) {
            c.send("PING@1");
            c.closed.get();
            assertThat(c.lines).isEmpty();
        }
    }

    /** Sends from the first node to the last and waits for the delivery (retrying while links are re-made). */
    private void sendAndAwait(List<NodeId> ids, String text, List<String> delivered, int expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                nodes.get(0)
                        .send(ids.get(2), text.getBytes(StandardCharsets.UTF_8))
                        .get(5, java.util.concurrent.TimeUnit.SECONDS);
                return true;
            } catch (Exception failedWhileRewiring) {
                return false;
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.contains(text));
        // duplicates from a retry count once
        delivered.removeIf(t -> t.equals(text));
        delivered.add(text);
        assertThat(delivered).hasSize(expected);
    }
}
