package io.egoist.security.ca;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The network CAs a member trusts: one, or during a rotation an old and a new one. A member certificate is
 * accepted when one of them signed it.
 */
public record CaBundle(List<X509Certificate> cas) {

    public CaBundle {
        cas = List.copyOf(cas);
        if (cas.isEmpty()) throw new IllegalArgumentException("empty CA bundle");
    }

    /** Reads a PEM file of one or more CA certificates; every one must be a CA (basic constraints). */
    public static CaBundle load(Path file) throws CaException {
        return parse(Pem.read(file), file.toString());
    }

    public static CaBundle parse(byte[] pem, String what) throws CaException {
        List<X509Certificate> certs = Pem.parseCertificates(pem, what);
        for (X509Certificate c : certs) {
            if (c.getBasicConstraints() < 0) {
                throw new CaException(what + ": " + c.getSubjectX500Principal().getName() + " is not a CA certificate");
            }
        }
        return new CaBundle(certs);
    }

    /** The CA of the bundle that signed {@code cert}, or null. */
    public X509Certificate issuerOf(X509Certificate cert) {
        for (X509Certificate ca : cas) {
            if (!ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) continue;
            try {
                cert.verify(ca.getPublicKey());
                return ca;
            } catch (GeneralSecurityException | RuntimeException e) {
                // same name, other key (a re-created CA): try the next one
            }
        }
        return null;
    }

    public String pem() throws CaException {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate ca : cas) sb.append(Pem.certificate(ca));
        return sb.toString();
    }
}
