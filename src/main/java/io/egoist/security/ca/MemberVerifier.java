package io.egoist.security.ca;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;

/**
 * Decides whether a peer's certificate makes it a member and which id it speaks for. Pure: the CA bundle, the
 * revocation list and the time are arguments.
 */
public final class MemberVerifier {
    private MemberVerifier() {}

    /** The outcome: a member and its id, or the reason it is not one. */
    public sealed interface Result {}

    public record Member(MemberId id, X509Certificate certificate) implements Result {}

    public record Refused(String reason) implements Result {}

    /** SAN type of a URI (RFC 5280 GeneralName uniformResourceIdentifier). */
    private static final int SAN_URI = 6;

    public static Result verify(List<X509Certificate> chain, CaBundle bundle, RevocationList revoked, Instant now) {
        if (chain == null || chain.isEmpty()) return new Refused("no certificate");
        X509Certificate cert = chain.get(0);
        X509Certificate ca = bundle.issuerOf(cert);
        if (ca == null)
            return new Refused("not signed by a CA of the bundle (issuer "
                    + cert.getIssuerX500Principal().getName() + ")");
        Date at = Date.from(now);
        if (!validAt(ca, at)) return new Refused("its CA is expired or not yet valid");
        if (at.before(cert.getNotBefore()))
            return new Refused("not valid before " + cert.getNotBefore().toInstant());
        if (at.after(cert.getNotAfter()))
            return new Refused("expired at " + cert.getNotAfter().toInstant());
        if (cert.getBasicConstraints() >= 0) return new Refused("a CA certificate, not a member's");
        if (revoked.isRevoked(cert))
            return new Refused("revoked (serial " + cert.getSerialNumber().toString(16) + ")");
        MemberId id = idOf(cert);
        if (id == null) return new Refused("no egoist id (SAN URI egoist:node:IP:PORT or egoist:tracker)");
        return new Member(id, cert);
    }

    /** The one egoist id among the certificate's SAN URIs, or null if there is none or more than one. */
    public static MemberId idOf(X509Certificate cert) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
        if (sans == null) return null;
        MemberId found = null;
        for (List<?> san : sans) {
            if (san.size() < 2 || !(san.get(0) instanceof Integer type) || type != SAN_URI) continue;
            MemberId id = MemberId.fromUri(String.valueOf(san.get(1)));
            if (id == null) continue;
            if (found != null && !found.equals(id)) return null;
            found = id;
        }
        return found;
    }

    private static boolean validAt(X509Certificate c, Date at) {
        return !at.before(c.getNotBefore()) && !at.after(c.getNotAfter());
    }
}
