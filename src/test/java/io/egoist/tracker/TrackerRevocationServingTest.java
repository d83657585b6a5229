package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.CrlLines;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracker core's side of the revocation-list exchange (sans-I/O: events in, effects out). */
class TrackerRevocationServingTest {
    @TempDir
    Path dir;

    final TrackerCore core = TrackerCoreTest.newCore(TrackerSnapshot.EMPTY);
    long nextConn = 1;

    ConnId accept(MemberId member) {
        ConnId c = new ConnId(nextConn++);
        core.handle(0, new Event.Accepted(c, "127.0.0.1", 40000));
        if (member != null) core.handle(0, new Event.Authenticated(c, member));
        return c;
    }

    List<Effect> request(MemberId member) {
        return core.handle(0, new Event.LineReceived(accept(member), CrlLines.REQUEST));
    }

    static String sent(List<Effect> out) {
        return out.stream()
                .filter(Effect.Send.class::isInstance)
                .map(e -> ((Effect.Send) e).line())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aMemberGetsTheListAndTheConnectionIsClosed() throws Exception {
        TestPki pki = new TestPki(dir);
        pki.issue("n", "127.0.0.1:7000");
        pki.ca.revoke(MemberId.parse("127.0.0.1:7000"), Instant.now());
        TlsMembers tracker = TestPki.members(pki.issue("tracker", "tracker"));
        tracker.revocationFile(pki.dir.resolve("ca").resolve(NetworkCa.CRL));
        core.handle(0, RevocationServing.event(tracker.fileRevocations()));

        List<Effect> out = request(MemberId.of(NodeId.parse("127.0.0.1:7002")));
        String line = sent(out);
        assertThat(line).startsWith("CRL@");
        assertThat(RevocationList.fromWire(
                                CrlLines.listOf(line), tracker.credentials().bundle())
                        .size())
                .isEqualTo(1);
        assertThat(out).anyMatch(Effect.Close.class::isInstance);
        assertThat(core.nodeCount()).isZero();
    }

    @Test
    void withoutAListTheAnswerIsANack() {
        core.handle(0, RevocationServing.event(RevocationList.EMPTY));
        List<Effect> out = request(MemberId.of(NodeId.parse("127.0.0.1:7002")));
        assertThat(sent(out)).isEqualTo("NACK@crl: this tracker serves no revocation list (no --crl)");
        assertThat(out).anyMatch(Effect.Close.class::isInstance);
        // a normal answer, not a rejection: nothing counted (nor logged as one)
        assertThat(core.counters().nacks()).doesNotContainKey("no-crl");
    }

    @Test
    void inOpenModeTheRequestIsAnUnknownLineAsBefore() throws Exception {
        TestPki pki = new TestPki(dir);
        TlsMembers tracker = TestPki.members(pki.issue("tracker", "tracker"));
        tracker.revocationFile(pki.dir.resolve("ca").resolve(NetworkCa.CRL));
        core.handle(0, RevocationServing.event(tracker.fileRevocations()));
        // no Authenticated: an open-mode connection (or a v0.2 peer) gets the v0.2 answer to an unknown line
        String line = sent(request(null));
        assertThat(line).startsWith("NACK@").doesNotStartWith("NACK@crl");
    }
}
