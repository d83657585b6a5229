package io.egoist.security.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** PEM files: certificates (one or several), PKCS#8 private keys (Ed25519 or EC), CRLs. */
public final class Pem {
    private Pem() {}

    /** The longest credential file we read: a bundle of a few certificates or a CRL of many thousand entries. */
    public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    public static String encode(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    public static String certificate(X509Certificate cert) throws CaException {
        try {
            return encode("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new CaException("cannot encode certificate: " + e.getMessage(), e);
        }
    }

    public static String privateKey(PrivateKey key) {
        return encode("PRIVATE KEY", key.getEncoded());
    }

    public static String crl(X509CRL crl) throws CaException {
        try {
            return encode("X509 CRL", crl.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new CaException("cannot encode CRL: " + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM file (at least one). */
    public static List<X509Certificate> readCertificates(Path file) throws CaException {
        return parseCertificates(read(file), file.toString());
    }

    public static List<X509Certificate> parseCertificates(byte[] pem, String what) throws CaException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CaException(what + ": not a PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) throw new CaException(what + ": no certificate in the file");
        return out;
    }

    /** Every CRL in PEM text (possibly none). */
    public static List<X509CRL> parseCrls(byte[] pem, String what) throws CaException {
        List<X509CRL> out = new ArrayList<>();
        if (new String(pem, StandardCharsets.US_ASCII).isBlank()) return out;
        try {
            for (CRL c : CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(pem))) {
                out.add((X509CRL) c);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CaException(what + ": not a PEM CRL file (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** The one PKCS#8 private key ({@code BEGIN PRIVATE KEY}) of a PEM file: Ed25519 or EC. */
    public static PrivateKey readPrivateKey(Path file) throws CaException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----", end = "-----END PRIVATE KEY-----";
        int b = text.indexOf(begin), e = text.indexOf(end);
        if (b < 0 || e < b) throw new CaException(file + ": no PKCS#8 'PRIVATE KEY' block");
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
            var algorithm =
                    PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm();
            String name;
            if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) name = "Ed25519";
            else if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) name = "EC";
            else throw new CaException(file + ": unsupported key algorithm " + algorithm + " (Ed25519 or EC)");
            return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException ex) {
            throw new CaException(file + ": unreadable private key (" + ex.getMessage() + ")", ex);
        }
    }

    static byte[] read(Path file) throws CaException {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) throw new CaException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CaException(file + ": no such file");
        } catch (IOException e) {
            throw new CaException(file + ": cannot read (" + e + ")", e);
        }
    }

    /**
     * Writes a file through a temporary file and a rename, so that a reader (a reloading node) never sees half
     * of it. {@code secret} files are readable by the owner only.
     */
    static void write(Path file, String text, boolean secret) throws CaException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                if (secret) trySetOwnerOnly(tmp);
                Files.writeString(tmp, text, StandardCharsets.US_ASCII);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CaException(file + ": cannot write (" + e + ")", e);
        }
    }

    private static void trySetOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection has to do
        }
    }
}
