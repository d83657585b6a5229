package io.egoist.security.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkCaTest {
    @TempDir
    Path tmp;

    static final Instant NOW = Instant.parse("2026-12-02T03:00:00Z");
    static final MemberId A = MemberId.of(NodeId.parse("127.0.0.1:7000"));

    private static MemberVerifier.Result verify(NetworkCa.Issued i, CaBundle bundle, RevocationList crl, Instant at) {
        return MemberVerifier.verify(List.of(i.certificate()), bundle, crl, at);
    }

    @Test
    void anIssuedCertificateBindsItsIdAndLoadsAsCredentials() throws Exception {
        NetworkCa ca = NetworkCa.init(tmp.resolve("ca"), NOW, 3650);
        ca.writeMember(ca.issue(A, NOW, 365), tmp.resolve("a"));
        ca.writeMember(ca.issue(MemberId.TRACKER, NOW, 365), tmp.resolve("t"));

        Credentials a = Credentials.loadDir(tmp.resolve("a"), NOW);
        assertThat(a.id()).isEqualTo(A);
        assertThat(a.key().getAlgorithm()).isIn("EdDSA", "Ed25519");
        assertThat(a.certificate().getSubjectAlternativeNames())
                .anySatisfy(san -> assertThat(san.get(1)).isEqualTo("egoist:node:127.0.0.1:7000"));
        assertThat(Credentials.loadDir(tmp.resolve("t"), NOW).id()).isEqualTo(MemberId.TRACKER);
        assertThat(a.bundle().cas()).containsExactly(ca.certificate());
        assertThat(Files.readString(tmp.resolve("a/member.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(tmp.resolve("a/member.key"))))
                .isEqualTo("rw-------");
        assertThat(NetworkCa.load(tmp.resolve("ca")).certificate()).isEqualTo(ca.certificate());
    }

    @Test
    void strangersAreRefusedWithTheirReason() throws Exception {
        NetworkCa ca = NetworkCa.init(tmp.resolve("ca"), NOW, 3650);
        NetworkCa other = NetworkCa.init(tmp.resolve("other"), NOW, 3650);
        CaBundle bundle = CaBundle.load(tmp.resolve("ca/ca.crt"));

        NetworkCa.Issued good = ca.issue(A, NOW, 1);
        assertThat(verify(good, bundle, RevocationList.EMPTY, NOW))
                .isEqualTo(new MemberVerifier.Member(A, good.certificate()));
        assertThat(verify(other.issue(A, NOW, 365), bundle, RevocationList.EMPTY, NOW))
                .isInstanceOfSatisfying(
                        MemberVerifier.Refused.class,
                        r -> assertThat(r.reason()).startsWith("not signed by a CA of the bundle"));
        NetworkCa.Issued old = ca.issue(A, NOW.minus(Duration.ofDays(10)), 2);
        assertThat(verify(old, bundle, RevocationList.EMPTY, NOW))
                .isInstanceOfSatisfying(
                        MemberVerifier.Refused.class,
                        r -> assertThat(r.reason()).startsWith("expired at"));
        NetworkCa.Issued future = ca.issue(A, NOW.plus(Duration.ofDays(1)), 2);
        assertThat(verify(future, bundle, RevocationList.EMPTY, NOW))
                .isInstanceOfSatisfying(
                        MemberVerifier.Refused.class,
                        r -> assertThat(r.reason()).startsWith("not valid before"));
        assertThat(MemberVerifier.verify(List.of(ca.certificate()), bundle, RevocationList.EMPTY, NOW))
                .isInstanceOf(MemberVerifier.Refused.class);
        assertThat(MemberVerifier.verify(List.of(), bundle, RevocationList.EMPTY, NOW))
                .isEqualTo(new MemberVerifier.Refused("no certificate"));
    }

    @Test
    void aRevokedMemberIsRefusedAndOthersAreNot() throws Exception {
        NetworkCa ca = NetworkCa.init(tmp.resolve("ca"), NOW, 3650);
        CaBundle bundle = CaBundle.load(tmp.resolve("ca/ca.crt"));
        MemberId b = MemberId.of(NodeId.parse("127.0.0.1:7002"));
        NetworkCa.Issued a1 = ca.issue(A, NOW, 365), a2 = ca.issue(A, NOW, 365), b1 = ca.issue(b, NOW, 365);
        assertThat(RevocationList.load(tmp.resolve("ca/crl.pem"), bundle).size())
                .isZero();

        assertThat(ca.revoke(A, NOW)).isEqualTo(2);
        assertThat(ca.revoke(A, NOW)).isZero(); // already revoked: the list does not grow
        RevocationList crl = RevocationList.load(tmp.resolve("ca/crl.pem"), bundle);
        assertThat(crl.size()).isEqualTo(2);
        assertThat(verify(a1, bundle, crl, NOW))
                .isInstanceOfSatisfying(
                        MemberVerifier.Refused.class,
                        r -> assertThat(r.reason()).startsWith("revoked"));
        assertThat(verify(a2, bundle, crl, NOW)).isInstanceOf(MemberVerifier.Refused.class);
        assertThat(verify(b1, bundle, crl, NOW)).isInstanceOf(MemberVerifier.Member.class);
        assertThatThrownBy(() -> ca.revoke(MemberId.of(NodeId.parse("10.0.0.9:7000")), NOW))
                .isInstanceOf(CaException.class)
                .hasMessageContaining("no certificate was issued for 10.0.0.9:7000");
    }

    @Test
    void aCrlOfAnotherCaIsIgnoredAndAnAlteredOneIsAnError() throws Exception {
        NetworkCa ca = NetworkCa.init(tmp.resolve("ca"), NOW, 3650);
        NetworkCa other = NetworkCa.init(tmp.resolve("other"), NOW, 3650);
        NetworkCa.Issued x = other.issue(A, NOW, 365);
        other.revoke(A, NOW);
        CaBundle bundle = CaBundle.load(tmp.resolve("ca/ca.crt"));
        assertThat(RevocationList.load(tmp.resolve("other/crl.pem"), bundle).size())
                .isZero();
        assertThat(x).isNotNull();

        ca.issue(A, NOW, 365);
        ca.revoke(A, NOW);
        byte[] der = Pem.parseCrls(Files.readAllBytes(tmp.resolve("ca/crl.pem")), "crl")
                .get(0)
                .getEncoded();
        der[der.length - 5] ^= 1; // a bit of the signature
        byte[] altered = Pem.encode("X509 CRL", der).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> RevocationList.parse(altered, bundle, "fetched"))
                .isInstanceOf(CaException.class)
                .hasMessageContaining("bad signature");
    }

    @Test
    void aBundleOfTwoCasAcceptsMembersOfBoth() throws Exception {
        NetworkCa old = NetworkCa.init(tmp.resolve("old"), NOW, 3650);
        NetworkCa neu = NetworkCa.init(tmp.resolve("new"), NOW, 3650);
        old.writeMember(old.issue(A, NOW, 365), tmp.resolve("a"));
        neu.writeMember(neu.issue(A, NOW, 365), tmp.resolve("a")); // rotation: the bundle gains the new CA

        CaBundle bundle = CaBundle.load(tmp.resolve("a/ca.crt"));
        assertThat(bundle.cas()).containsExactly(old.certificate(), neu.certificate());
        MemberId b = MemberId.of(NodeId.parse("127.0.0.1:7002"));
        assertThat(verify(old.issue(b, NOW, 1), bundle, RevocationList.EMPTY, NOW))
                .isInstanceOf(MemberVerifier.Member.class);
        assertThat(verify(neu.issue(b, NOW, 1), bundle, RevocationList.EMPTY, NOW))
                .isInstanceOf(MemberVerifier.Member.class);
        assertThat(Credentials.loadDir(tmp.resolve("a"), NOW).certificate().getIssuerX500Principal())
                .isEqualTo(neu.certificate().getSubjectX500Principal());
    }

    @Test
    void mismatchedOrMissingFilesAreFoundAtLoad() throws Exception {
        NetworkCa ca = NetworkCa.init(tmp.resolve("ca"), NOW, 3650);
        ca.writeMember(ca.issue(A, NOW, 365), tmp.resolve("a"));
        ca.writeMember(ca.issue(A, NOW, 365), tmp.resolve("b"));
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertThatThrownBy(() ->
                        Credentials.load(a.resolve("ca.crt"), a.resolve("member.crt"), b.resolve("member.key"), NOW))
                .isInstanceOf(CaException.class)
                .hasMessageContaining("is not the key of the certificate");
        assertThatThrownBy(() ->
                        Credentials.load(a.resolve("nope.crt"), a.resolve("member.crt"), a.resolve("member.key"), NOW))
                .isInstanceOf(CaException.class)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> Credentials.load(
                        a.resolve("member.crt"), a.resolve("member.crt"), a.resolve("member.key"), NOW))
                .isInstanceOf(CaException.class)
                .hasMessageContaining("is not a CA certificate");
        assertThatThrownBy(() ->
                        Credentials.load(a.resolve("ca.crt"), a.resolve("member.key"), a.resolve("member.key"), NOW))
                .isInstanceOf(CaException.class);
        assertThatThrownBy(() -> NetworkCa.init(tmp.resolve("ca"), NOW, 10))
                .isInstanceOf(CaException.class)
                .hasMessageContaining("a CA is there already");
    }

    @Test
    void memberIdsParseAndRoundTripThroughUris() {
        assertThat(MemberId.parse("tracker")).isEqualTo(MemberId.TRACKER);
        assertThat(MemberId.fromUri(A.uri())).isEqualTo(A);
        assertThat(MemberId.fromUri("egoist:node:1.2.3.4")).isNull();
        assertThat(MemberId.fromUri("https://example.com")).isNull();
        assertThatThrownBy(() -> MemberId.parse("10.0.0.300:7000")).hasMessageContaining("octet out of range");
    }
}
