package io.egoist.security.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The revoked member certificates: the union of the X.509 CRLs of the bundle's CAs. Each CRL is signed by its
 * CA, so whoever passes the list on (the tracker) cannot add or remove an entry; a CRL whose CA is not in the
 * bundle is left out (its certificates are refused anyway).
 */
public final class RevocationList {

    /** One revoked certificate: its issuer and serial number. */
    public record Entry(X500Principal issuer, BigInteger serial) {}

    /**
     * The longest wire form a tracker serves and a node takes (characters of the {@code CRL@...} reply line, about
     * 190 KB of DER: some 3,000 revoked certificates). A tracker whose list is longer answers {@code NACK@crl: ...};
     * a node stops reading a longer reply, keeps its list and logs it.
     */
    public static final int MAX_WIRE_CHARS = 256 * 1024;

    public static final RevocationList EMPTY = new RevocationList(Set.of(), List.of());

    private final Set<Entry> revoked;
    private final List<X509CRL> crls;

    private RevocationList(Set<Entry> revoked, List<X509CRL> crls) {
        this.revoked = Set.copyOf(revoked);
        this.crls = List.copyOf(crls);
    }

    public static RevocationList load(Path file, CaBundle bundle) throws CaException {
        return parse(Pem.read(file), bundle, file.toString());
    }

    /**
     * The CRLs in {@code pem} that a CA of {@code bundle} signed. A CRL that names a CA of the bundle but whose
     * signature does not verify is an error (someone altered it); one of an unknown CA is skipped.
     */
    public static RevocationList parse(byte[] pem, CaBundle bundle, String what) throws CaException {
        return of(Pem.parseCrls(pem, what), bundle, what);
    }

    /** As {@link #parse}, from CRL objects already decoded. */
    public static RevocationList of(List<X509CRL> all, CaBundle bundle, String what) throws CaException {
        Set<Entry> revoked = new HashSet<>();
        List<X509CRL> kept = new ArrayList<>();
        for (X509CRL crl : all) {
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
            kept.add(crl);
        }
        return new RevocationList(revoked, kept);
    }

    /**
     * The list a tracker sent ({@link #wireForm}): every CRL must decode, and those of the bundle's CAs must carry
     * their CA's signature; at least one must be of a bundle CA (else the list says nothing we can trust).
     */
    public static RevocationList fromWire(String field, CaBundle bundle) throws CaException {
        if (field.isEmpty()) throw new CaException("empty list");
        if (field.length() > MAX_WIRE_CHARS)
            throw new CaException("longer than " + MAX_WIRE_CHARS + " characters: " + field.length());
        List<X509CRL> all = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (String part : field.split(",", -1)) {
                byte[] der = Base64.getDecoder().decode(part);
                all.add((X509CRL) cf.generateCRL(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new CaException("not a list of DER CRLs in Base64 (" + e.getMessage() + ")", e);
        }
        RevocationList list = of(all, bundle, "tracker's list");
        if (list.crls.isEmpty()) throw new CaException("no CRL of a CA of our bundle in it");
        return list;
    }

    /** The CRLs as a tracker serves them: standard Base64 of each CRL's DER, separated by {@code ,}. */
    public String wireForm() throws CaException {
        StringBuilder sb = new StringBuilder();
        for (X509CRL crl : crls) {
            if (!sb.isEmpty()) sb.append(',');
            try {
                sb.append(Base64.getEncoder().encodeToString(crl.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new CaException("cannot encode a CRL: " + e.getMessage(), e);
            }
        }
        return sb.toString();
    }

    /**
     * Null when this list is not older than {@code held} for any CA of {@code bundle}: for every such CA of which
     * {@code held} has a CRL, this list has one of the same CA with a CRL number (or, without numbers, a
     * this-update time) at least as high. Else why not: a tracker cannot roll a revocation back.
     */
    public String olderThan(RevocationList held, CaBundle bundle) {
        for (X509CRL h : held.crls) {
            X509Certificate ca = issuer(h, bundle);
            if (ca == null) continue; // a CA we no longer trust: its list no longer matters
            X509CRL n = null;
            for (X509CRL c : crls) if (ca.equals(issuer(c, bundle))) n = newer(n, c);
            if (n == null)
                return "it has no CRL of " + ca.getSubjectX500Principal().getName() + " any more";
            if (older(n, h))
                return "its CRL of " + ca.getSubjectX500Principal().getName() + " (" + describe(n)
                        + ") is older than the one held (" + describe(h) + ")";
        }
        return null;
    }

    private static boolean older(X509CRL a, X509CRL b) {
        BigInteger na = number(a), nb = number(b);
        if (na != null && nb != null) return na.compareTo(nb) < 0;
        return a.getThisUpdate().before(b.getThisUpdate());
    }

    /** The newer of two CRLs of one CA ({@code a} may be null; on a tie, {@code b}). */
    private static X509CRL newer(X509CRL a, X509CRL b) {
        return a == null || !older(b, a) ? b : a;
    }

    private static String describe(X509CRL crl) {
        BigInteger n = number(crl);
        return (n == null ? "" : "number " + n + ", ") + "this update "
                + crl.getThisUpdate().toInstant();
    }

    private static X509Certificate issuer(X509CRL crl, CaBundle bundle) {
        for (X509Certificate c : bundle.cas()) {
            if (!c.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) continue;
            try {
                crl.verify(c.getPublicKey());
                return c;
            } catch (GeneralSecurityException | RuntimeException e) {
                // another CA of the same name
            }
        }
        return null;
    }

    /** The CRL number extension of {@code crl}, or null. */
    public static BigInteger number(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (ext == null) return null;
        try {
            ASN1Primitive inner =
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets());
            return ASN1Integer.getInstance(inner).getValue();
        } catch (IOException | RuntimeException e) {
            return null;
        }
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

    /** The CRLs kept (those a CA of the bundle signed). */
    public List<X509CRL> crls() {
        return crls;
    }

    /** The CRLs kept, as PEM. */
    public String pem() {
        StringBuilder sb = new StringBuilder();
        for (X509CRL crl : crls) {
            try {
                sb.append(Pem.crl(crl));
            } catch (CaException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    /** A list holding the entries of both. */
    public RevocationList plus(RevocationList other) {
        Set<Entry> all = new HashSet<>(revoked);
        all.addAll(other.revoked);
        List<X509CRL> both = new ArrayList<>(crls);
        both.addAll(other.crls);
        return new RevocationList(all, both);
    }
}
