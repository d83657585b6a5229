package io.egoist.security.sign;

import io.egoist.security.ca.CaBundle;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.MemberVerifier;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Member keys from the network CA: the credential an announcement carries is its origin's member certificate (DER),
 * checked by the CA package's {@link MemberVerifier} (signed by a CA of the bundle, valid at the event's time, not
 * revoked, one egoist id) and accepted only when the id it binds is the announcement's origin. The bundle and the
 * revocation list are read at every check, so a reload (rotation, revocation) takes effect for credentials not yet
 * cached; {@link LinkStateSigning#forgetCredentials} drops the cached ones.
 */
public final class CertificateMemberKeys implements MemberKeys {
    private final Supplier<CaBundle> bundle;
    private final Supplier<RevocationList> revocations;

    public CertificateMemberKeys(Supplier<CaBundle> bundle, Supplier<RevocationList> revocations) {
        this.bundle = bundle;
        this.revocations = revocations;
    }

    /** The CA bundle and revocation list a secure process holds (and reloads). */
    public static CertificateMemberKeys of(TlsMembers tls) {
        return new CertificateMemberKeys(() -> tls.credentials().bundle(), tls::revocations);
    }

    @Override
    public Verified signingKey(NodeId origin, byte[] credential, long nowMillis) throws GeneralSecurityException {
        X509Certificate cert;
        try {
            cert = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(credential));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new GeneralSecurityException("not an X.509 certificate");
        }
        MemberVerifier.Result r =
                MemberVerifier.verify(List.of(cert), bundle.get(), revocations.get(), Instant.ofEpochMilli(nowMillis));
        if (r instanceof MemberVerifier.Refused refused) throw new GeneralSecurityException(refused.reason());
        MemberId id = ((MemberVerifier.Member) r).id();
        if (id.isTracker() || !origin.equals(id.node()))
            throw new GeneralSecurityException("certificate is for " + id + ", not " + origin);
        return new Verified(cert.getPublicKey(), cert.getNotAfter().getTime());
    }
}
