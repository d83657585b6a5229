package io.egoist.security.sign;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.security.ca.CaBundle;
import io.egoist.security.ca.Credentials;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.RevocationList;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed link state against the network CA (io.egoist.security.ca): certificates as the credentials. */
class CertificateMemberKeysTest {
    static final NodeId A = NodeId.parse("10.0.0.1:7000"), B = NodeId.parse("10.0.0.2:7000");
    static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");

    @TempDir
    Path tmp;

    NetworkCa ca;
    CaBundle bundle;
    final AtomicReference<RevocationList> crl = new AtomicReference<>(RevocationList.EMPTY);
    CertificateMemberKeys keys;
    MemberIdentity a, b;

    MemberIdentity member(NetworkCa ca, NodeId id, int days) throws Exception {
        NetworkCa.Issued i = ca.issue(MemberId.of(id), NOW, days);
        return MemberIdentity.of(
                id,
                new Credentials(i.key(), i.certificate(), MemberId.of(id), new CaBundle(List.of(ca.certificate()))));
    }

    @BeforeEach
    void setUp() throws Exception {
        ca = NetworkCa.init(tmp.resolve("ca"), NOW, 3650);
        bundle = new CaBundle(List.of(ca.certificate()));
        keys = new CertificateMemberKeys(() -> bundle, crl::get);
        a = member(ca, A, 30);
        b = member(ca, B, 30);
    }

    Message.SignedUpdate signedBy(MemberIdentity signer, NodeId origin) {
        String line = new LinkStateSigning(signer, keys)
                .seal(WireCodec.encode(new Message.PeerUpdate("ab", 5, origin, List.of(new Link(origin, B, 12.5)))));
        return (Message.SignedUpdate) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
    }

    @Test
    void anAnnouncementCarryingItsOriginsCertificateIsValid() {
        LinkStateSigning receiver = new LinkStateSigning(b, keys);
        assertThat(receiver.check(signedBy(a, A), NOW.toEpochMilli()).ok()).isTrue();
    }

    @Test
    void aMemberCannotSignUnderAnotherIdNorAStrangerWithAnotherCa() throws Exception {
        LinkStateSigning receiver = new LinkStateSigning(b, keys);
        // b signs a's links with its own (valid) certificate
        assertThat(receiver.check(signedBy(b, A), NOW.toEpochMilli()).reason())
                .contains("certificate is for")
                .contains(B.toString());
        // a certificate for a's id from another CA
        NetworkCa other = NetworkCa.init(tmp.resolve("other"), NOW, 3650);
        MemberIdentity impostor = member(other, A, 30);
        assertThat(receiver.check(signedBy(impostor, A), NOW.toEpochMilli()).ok())
                .isFalse();
    }

    @Test
    void anExpiredCertificateIsRefusedEvenAfterItWasCached() {
        LinkStateSigning receiver = new LinkStateSigning(b, keys);
        Message.SignedUpdate u = signedBy(a, A);
        assertThat(receiver.check(u, NOW.toEpochMilli()).ok()).isTrue();
        long later = NOW.plus(Duration.ofDays(31)).toEpochMilli();
        assertThat(receiver.check(u, later).ok()).isFalse();
    }

    @Test
    void aRevokedMemberIsRefusedOnceTheCachedCredentialsAreForgotten() throws Exception {
        LinkStateSigning receiver = new LinkStateSigning(b, keys);
        Message.SignedUpdate u = signedBy(a, A);
        assertThat(receiver.check(u, NOW.toEpochMilli()).ok()).isTrue();
        ca.revoke(MemberId.of(A), NOW);
        crl.set(RevocationList.load(tmp.resolve("ca").resolve(NetworkCa.CRL), bundle));
        receiver.forgetCredentials();
        assertThat(receiver.check(u, NOW.toEpochMilli()).ok()).isFalse();
        assertThat(receiver.check(signedBy(b, B), NOW.toEpochMilli()).ok()).isTrue();
    }

    @Test
    void garbageInsteadOfACertificateIsRefused() {
        MemberIdentity fake = new MemberIdentity(A, a.signing(), new byte[] {1, 2, 3}, a.agreement());
        Message.SignedUpdate u = signedBy(fake, A);
        assertThat(new LinkStateSigning(b, keys).check(u, NOW.toEpochMilli()).reason())
                .contains("not an X.509 certificate");
    }
}
