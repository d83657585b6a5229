package io.egoist.security.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.node.NodeConfig;
import io.egoist.node.runtime.DataPortLimits;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.runtime.EchoServer;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.SignedUpdateCodec;
import io.egoist.wire.WireCodec;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure nodes (signed link state, end-to-end DATA; member keys pinned, as the CA-based transport is not wired into
 * this runtime yet) over real sockets on loopback, with a stranger's raw socket on a node's main port.
 */
class SecureNodesLoopbackTest {
    @TempDir
    Path tmp;

    final PinnedMemberKeys pinned = new PinnedMemberKeys();
    final Map<NodeId, MemberIdentity> identities = new ConcurrentHashMap<>();
    final List<EgoistNode> nodes = new ArrayList<>();
    TrackerServer tracker;

    @AfterEach
    void stop() {
        for (EgoistNode n : nodes) n.close();
        if (tracker != null) tracker.close();
    }

    void startOverlay(int n) throws Exception {
        tracker = TrackerServer.start(
                new TrackerConfig("127.0.0.1", 0, Files.createDirectories(tmp.resolve("t")), -1, 2_000, 30_000, 1_000));
        for (int i = 0; i < n; i++) {
            NodeConfig cfg = LocalOverlay.shortPeriods(
                            NodeConfig.defaults(new NodeId("127.0.0.1", 1), "127.0.0.1", tracker.port()))
                    .withK(2);
            EgoistNode.Options opts = new EgoistNode.Options()
                    .ephemeralPort(true)
                    .echoLimits(new EchoServer.Limits().maxConnections(512, 512))
                    .dataLimits(new DataPortLimits().maxConnections(512, 512))
                    .security(id -> {
                        MemberIdentity m = MemberIdentity.generate(id);
                        identities.put(id, m);
                        pinned.pin(m);
                        return MemberSecurity.of(m, pinned);
                    });
            nodes.add(EgoistNode.start(cfg, opts));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (EgoistNode x : nodes) if (x.routes().get().size() < n - 1) return false;
            for (EgoistNode x : nodes)
                for (EgoistNode y : nodes)
                    if (x != y && x.query(c -> c.linksOf(y.id())).get().isEmpty()) return false;
            return true;
        });
    }

    static void sendRaw(NodeId to, String... lines) throws Exception {
        try (Socket s = new Socket("127.0.0.1", to.port())) {
            OutputStream out = s.getOutputStream();
            for (String l : lines) out.write((l + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    @Test
    void securePeersExchangeSignedLinkStateAndSealedData() throws Exception {
        startOverlay(4);
        EgoistNode a = nodes.get(0), b = nodes.get(3);
        List<String> got = new CopyOnWriteArrayList<>();
        b.onReceive(m -> got.add(m.from() + " " + new String(m.payload(), StandardCharsets.UTF_8)));
        EgoistNode.SendResult r = a.send(b.id(), "hello, members only".getBytes(StandardCharsets.UTF_8))
                .get();
        assertThat(r.path()).startsWith(a.id()).endsWith(b.id());
        await().until(() -> got.contains(a.id() + " hello, members only"));
        // a payload larger than one line travels as sealed fragments and arrives whole
        byte[] big = new byte[40_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) ('a' + i % 26);
        a.send(b.id(), big).get();
        await().until(() -> got.stream().anyMatch(s -> s.length() > 40_000));
        for (EgoistNode x : nodes) {
            assertThat(x.query(c -> c.secure()).get()).isTrue();
            assertThat(x.query(c -> c.counters().updatesBadSignature + c.counters().updatesUnsigned)
                            .get())
                    .isZero();
            assertThat(x.status().get().features()).contains("sig");
        }
    }

    @Test
    void aStrangersForgedAlteredReplayedOrUnsignedAnnouncementChangesNothing() throws Exception {
        startOverlay(3);
        EgoistNode a = nodes.get(0), b = nodes.get(1);
        MemberIdentity ida = identities.get(a.id());
        List<Link> real = b.query(c -> c.linksOf(a.id())).get();
        int seq = b.query(c -> c.lastSeq(a.id())).get();
        int newer = (seq + 7) % 5000, older = (seq + 4990) % 5000;
        List<Link> fake = List.of(new Link(a.id(), new NodeId("10.66.66.66", 7000), 1.0));
        // genuine signature of a newer update, then one link changed on the way
        String genuine = new LinkStateSigning(ida, pinned)
                .seal(WireCodec.encode(new Message.PeerUpdate("aa01", newer, a.id(), real)));
        Message.SignedUpdate g = (Message.SignedUpdate)
                ((io.egoist.wire.Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, genuine)).message();
        String altered = SignedUpdateCodec.encode(
                WireCodec.encode(new Message.PeerUpdate("aa01", newer, a.id(), fake)),
                g.credential(),
                g.e2eKey(),
                g.signature());
        // a member's own key and credential under a's id
        MemberIdentity stranger = MemberIdentity.generate(new NodeId("127.0.0.1", 9));
        pinned.pin(stranger);
        String forged = new LinkStateSigning(stranger, pinned)
                .seal(WireCodec.encode(new Message.PeerUpdate("aa02", newer, a.id(), fake)));
        String unsigned = WireCodec.encode(new Message.PeerUpdate("aa03", newer, a.id(), fake));
        // a's genuine signature on an update older than the one b holds
        String replay = new LinkStateSigning(ida, pinned)
                .seal(WireCodec.encode(new Message.PeerUpdate("aa04", older, a.id(), fake)));

        long stale0 = b.query(c -> c.counters().updatesStale).get();
        sendRaw(b.id(), altered, forged, unsigned, replay);
        await().until(() -> b.query(c -> c.counters().updatesBadSignature == 2
                        && c.counters().updatesUnsigned == 1
                        && c.counters().updatesStale > stale0)
                .get());
        for (EgoistNode x : nodes) {
            if (x == a) continue;
            assertThat(x.query(c -> c.linksOf(a.id())).get()).doesNotContainAnyElementsOf(fake);
            assertThat(x.query(c -> c.knownNodes()).get()).doesNotContain(new NodeId("10.66.66.66", 7000));
        }
    }

    @Test
    void dataWithAForgedSourceIsRefusedAtTheDestination() throws Exception {
        startOverlay(3);
        EgoistNode a = nodes.get(0), b = nodes.get(1);
        List<String> got = new CopyOnWriteArrayList<>();
        b.onReceive(m -> got.add(new String(m.payload(), StandardCharsets.UTF_8)));
        String plain = "DATA@forged1@31@" + a.id() + "@" + b.id() + "@" + a.id() + "@"
                + Base64.getEncoder().encodeToString("pay the stranger".getBytes(StandardCharsets.UTF_8));
        byte[] junk = new byte[64];
        String sealedLooking = "DATA@forged2@31@" + a.id() + "@" + b.id() + "@" + a.id() + "@"
                + Base64.getEncoder().encodeToString(junk);
        sendRaw(b.id(), plain, sealedLooking);
        await().until(() -> b.query(c -> c.counters().dataUnauthentic).get() == 2);
        // a genuine message still gets through afterwards
        a.send(b.id(), "genuine".getBytes(StandardCharsets.UTF_8)).get();
        await().until(() -> got.contains("genuine"));
        assertThat(got).containsExactly("genuine");
    }
}
