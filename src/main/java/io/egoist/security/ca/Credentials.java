package io.egoist.security.ca;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A member's credentials as loaded from its three files: its private key, its certificate (with the id it
 * binds) and the CA bundle it trusts. Loading checks that the key belongs to the certificate and that a CA of
 * the bundle signed it, so a mis-copied file is found at start, not at the first handshake.
 */
public record Credentials(PrivateKey key, X509Certificate certificate, MemberId id, CaBundle bundle) {

    public static Credentials load(Path caFile, Path certFile, Path keyFile, Instant now) throws CaException {
        CaBundle bundle = CaBundle.load(caFile);
        List<X509Certificate> chain = Pem.readCertificates(certFile);
        X509Certificate cert = chain.get(0);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        if (!matches(key, cert)) throw new CaException(keyFile + " is not the key of the certificate " + certFile);
        var result = MemberVerifier.verify(List.of(cert), bundle, RevocationList.EMPTY, now);
        if (result instanceof MemberVerifier.Refused r) {
            throw new CaException(certFile + ": not a member certificate of " + caFile + ": " + r.reason());
        }
        return new Credentials(key, cert, ((MemberVerifier.Member) result).id(), bundle);
    }

    /** Loads the files {@code egoist ca issue} wrote into {@code dir}. */
    public static Credentials loadDir(Path dir, Instant now) throws CaException {
        return load(
                dir.resolve(NetworkCa.BUNDLE),
                dir.resolve(NetworkCa.MEMBER_CERT),
                dir.resolve(NetworkCa.MEMBER_KEY),
                now);
    }

    /** True when {@code key} signs what {@code cert}'s public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "EdDSA", "Ed25519" -> "Ed25519";
            case "EC" -> "SHA256withECDSA";
            default -> null;
        };
        if (alg == null) return false;
        try {
            byte[] probe = "egoist key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
