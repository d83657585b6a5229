package io.egoist.security.ca;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The revoked member certificates: the union of the X.509 CRLs of the bundle's CAs. Each CRL is signed by its
 * CA, so whoever passes the list on (the tracker) cannot add or remove an entry; a CRL whose CA is not in the
 * bundle is left out (its certificates are refused anyway).
 */
public final class RevocationList {

    /** One revoked certificate: its issuer and serial number. */
    public record Entry(X500Principal issuer, BigInteger serial) {}

    public static final RevocationList EMPTY = new RevocationList(Set.of(), "");

    private final Set<Entry> revoked;
    private final String pem;

    private RevocationList(Set<Entry> revoked, String pem) {
        this.revoked = Set.copyOf(revoked);
        this.pem = pem;
    }

    public static RevocationList load(Path file, CaBundle bundle) throws CaException {
        return parse(Pem.read(file), bundle, file.toString());
    }

    /**
     * The CRLs in {@code pem} that a CA of {@code bundle} signed. A CRL that names a CA of the bundle but whose
     * signature does not verify is an error (someone altered it); one of an unknown CA is skipped.
     */
    public static RevocationList parse(byte[] pem, CaBundle bundle, String what) throws CaException {
        Set<Entry> revoked = new HashSet<>();
        StringBuilder kept = new StringBuilder();
        for (X509CRL crl : Pem.parseCrls(pem, what)) {
            X509Certificate ca = null;
            for (X509Certificate c : bundle.cas()) {
                if (c.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                    try {
                        crl.verify(c.getPublicKey());
                        ca = c;
                        break;
                    } catch (GeneralSecurityException | RuntimeException e) {
                        // try another CA of the same name
                    }
                }
            }
            if (ca == null) {
                boolean known = bundle.cas().stream()
                        .anyMatch(c -> c.getSubjectX500Principal().equals(crl.getIssuerX500Principal()));
                if (known)
                    throw new CaException(what + ": CRL of " + crl.getIssuerX500Principal() + " has a bad signature");
                continue;
            }
            Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
            if (entries != null) {
                for (X509CRLEntry e : entries)
                    revoked.add(new Entry(ca.getSubjectX500Principal(), e.getSerialNumber()));
            }
            kept.append(Pem.crl(crl));
        }
        return new RevocationList(revoked, kept.toString());
    }

    public boolean isRevoked(X509Certificate cert) {
        return revoked.contains(new Entry(cert.getIssuerX500Principal(), cert.getSerialNumber()));
    }

    public int size() {
        return revoked.size();
    }

    public Set<Entry> entries() {
        return revoked;
    }

    /** The CRLs kept, as PEM (what a tracker serves). */
    public String pem() {
        return pem;
    }

    /** A list holding the entries of both. */
    public RevocationList plus(RevocationList other) {
        Set<Entry> all = new HashSet<>(revoked);
        all.addAll(other.revoked);
        return new RevocationList(all, pem + other.pem);
    }
}
