package io.egoist.security.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A network CA kept in a directory: {@code ca.key} (its Ed25519 key, owner-only), {@code ca.crt} (its
 * self-signed certificate), {@code issued.tsv} (every certificate it issued: serial, id, expiry, revoked-at)
 * and {@code crl.pem} (its signed revocation list). Keys and signatures are the JDK's Ed25519; BouncyCastle
 * only builds the X.509 structures.
 */
public final class NetworkCa {

    public static final String CA_KEY = "ca.key";
    public static final String CA_CERT = "ca.crt";
    public static final String ISSUED = "issued.tsv";
    public static final String CRL = "crl.pem";
    /** File names of a member's credentials, as {@code egoist ca issue} writes them. */
    public static final String MEMBER_KEY = "member.key";

    public static final String MEMBER_CERT = "member.crt";
    /** A member's CA bundle: the CA certificates it trusts. */
    public static final String BUNDLE = "ca.crt";

    public static final int DEFAULT_CA_DAYS = 3650;
    public static final int DEFAULT_MEMBER_DAYS = 365;
    /** Certificates start this long before they are made, so that a peer whose clock is a little behind takes them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final String SIGNATURE = "Ed25519";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final PrivateKey key;
    private final X509Certificate cert;

    private NetworkCa(Path dir, PrivateKey key, X509Certificate cert) {
        this.dir = dir;
        this.key = key;
        this.cert = cert;
    }

    public X509Certificate certificate() {
        return cert;
    }

    public Path dir() {
        return dir;
    }

    /** Creates a new CA in {@code dir} (created if needed); refuses a directory that already holds one. */
    public static NetworkCa init(Path dir, Instant now, int days) throws CaException {
        if (days < 1) throw new CaException("--days must be at least 1, not " + days);
        if (Files.exists(dir.resolve(CA_KEY)))
            throw new CaException(dir.resolve(CA_KEY) + " exists: a CA is there already");
        KeyPair kp = newKeyPair();
        X500Name name = new X500Name("CN=egoist network CA " + HexFormat.of().formatHex(randomBytes(6)));
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    serial(),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(Duration.ofDays(days))),
                    name,
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate cert = toCert(b.build(signer(kp.getPrivate())));
            NetworkCa ca = new NetworkCa(dir, kp.getPrivate(), cert);
            Pem.write(dir.resolve(CA_KEY), Pem.privateKey(kp.getPrivate()), true);
            Pem.write(dir.resolve(CA_CERT), Pem.certificate(cert), false);
            Pem.write(dir.resolve(ISSUED), "serial\tid\tnot_after\trevoked_at\n", false);
            ca.writeCrl(List.of(), now);
            return ca;
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new CaException("cannot create the CA: " + e.getMessage(), e);
        }
    }

    public static NetworkCa load(Path dir) throws CaException {
        PrivateKey key = Pem.readPrivateKey(dir.resolve(CA_KEY));
        X509Certificate cert = Pem.readCertificates(dir.resolve(CA_CERT)).get(0);
        if (!Credentials.matches(key, cert))
            throw new CaException(dir + ": " + CA_KEY + " does not belong to " + CA_CERT);
        return new NetworkCa(dir, key, cert);
    }

    /** A member's new key and certificate. */
    public record Issued(PrivateKey key, X509Certificate certificate) {}

    /** Issues a key and certificate for {@code id}, valid {@code days} from {@code now}, and records it. */
    public Issued issue(MemberId id, Instant now, int days) throws CaException {
        if (days < 1) throw new CaException("--days must be at least 1, not " + days);
        Instant notAfter = now.plus(Duration.ofDays(days));
        if (notAfter.isAfter(cert.getNotAfter().toInstant()))
            notAfter = cert.getNotAfter().toInstant();
        KeyPair kp = newKeyPair();
        try {
            BigInteger serial = serial();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    cert,
                    serial,
                    Date.from(now.minus(BACKDATE)),
                    Date.from(notAfter),
                    new X500Name("CN=" + id),
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
            }));
            b.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri())));
            X509Certificate member = toCert(b.build(signer(key)));
            Files.writeString(
                    dir.resolve(ISSUED),
                    serial.toString(16) + "\t" + id + "\t" + notAfter + "\t\n",
                    StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.APPEND);
            return new Issued(kp.getPrivate(), member);
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new CaException("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a member's credentials into {@code out}: {@code member.key}, {@code member.crt}, and this CA into
     * the bundle {@code ca.crt} (created, or extended when it holds other CAs: a rotation).
     */
    public void writeMember(Issued issued, Path out) throws CaException {
        Pem.write(out.resolve(MEMBER_KEY), Pem.privateKey(issued.key()), true);
        Pem.write(out.resolve(MEMBER_CERT), Pem.certificate(issued.certificate()), false);
        Path bundleFile = out.resolve(BUNDLE);
        List<X509Certificate> cas = new ArrayList<>();
        if (Files.exists(bundleFile)) cas.addAll(CaBundle.load(bundleFile).cas());
        if (!cas.contains(cert)) cas.add(cert);
        Pem.write(bundleFile, new CaBundle(cas).pem(), false);
    }

    /** Revokes every certificate issued for {@code id}; returns how many were newly revoked. */
    public int revoke(MemberId id, Instant now) throws CaException {
        List<String[]> rows = issuedRows();
        int newly = 0;
        boolean any = false;
        for (String[] r : rows) {
            if (!r[1].equals(id.toString())) continue;
            any = true;
            if (r[3].isEmpty()) {
                r[3] = now.toString();
                newly++;
            }
        }
        if (!any) throw new CaException("no certificate was issued for " + id + " by this CA");
        StringBuilder sb = new StringBuilder("serial\tid\tnot_after\trevoked_at\n");
        for (String[] r : rows) sb.append(String.join("\t", r)).append('\n');
        Pem.write(dir.resolve(ISSUED), sb.toString(), false);
        List<BigInteger> serials = new ArrayList<>();
        for (String[] r : rows) if (!r[3].isEmpty()) serials.add(new BigInteger(r[0], 16));
        writeCrl(serials, now);
        return newly;
    }

    private List<String[]> issuedRows() throws CaException {
        List<String[]> rows = new ArrayList<>();
        String text = new String(Pem.read(dir.resolve(ISSUED)), StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("serial\t")) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 4) throw new CaException(dir.resolve(ISSUED) + ": malformed line: " + line);
            rows.add(f);
        }
        return rows;
    }

    private void writeCrl(List<BigInteger> serials, Instant now) throws CaException {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(
                    X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()), Date.from(now));
            // nodes do not enforce a next update: the list is fetched from the tracker every refresh period
            b.setNextUpdate(cert.getNotAfter());
            // numbered, so that a node can tell the newer of two lists even within one second (no rollback)
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(nextCrlNumber()));
            for (BigInteger s : serials) b.addCRLEntry(s, Date.from(now), CRLReason.privilegeWithdrawn);
            X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(signer(key)));
            Pem.write(dir.resolve(CRL), Pem.crl(crl), false);
        } catch (OperatorCreationException | GeneralSecurityException | IOException e) {
            throw new CaException("cannot write the CRL: " + e.getMessage(), e);
        }
    }

    /** One more than the number of the CRL in {@code crl.pem} (1 for the first, or for one without a number). */
    private BigInteger nextCrlNumber() {
        Path file = dir.resolve(CRL);
        if (!Files.exists(file)) return BigInteger.ONE;
        try {
            BigInteger max = BigInteger.ZERO;
            for (X509CRL old : Pem.parseCrls(Pem.read(file), file.toString())) {
                BigInteger n = RevocationList.number(old);
                if (n != null && n.compareTo(max) > 0) max = n;
            }
            return max.add(BigInteger.ONE);
        } catch (CaException e) {
            return BigInteger.ONE;
        }
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).build(key);
    }

    private static X509Certificate toCert(X509CertificateHolder h) throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    static KeyPair newKeyPair() throws CaException {
        try {
            return KeyPairGenerator.getInstance(SIGNATURE).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CaException("no Ed25519 in this JDK: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(1, randomBytes(16)).setBit(127);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
