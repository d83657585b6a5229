package io.egoist.security.sign;

import io.egoist.wire.NodeId;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;

/**
 * What a member signs and decrypts with: its node id, its Ed25519 signing key pair, the credential its
 * announcements carry (its member certificate, DER; in test mode the public key itself) and its X25519 key pair for
 * end-to-end DATA. The X25519 pair is made fresh at every start and published with the signed announcements, so it
 * never needs a file of its own.
 */
public record MemberIdentity(NodeId id, KeyPair signing, byte[] credential, KeyPair agreement) {
    public MemberIdentity {
        credential = credential.clone();
        if (!"Ed25519".equals(signing.getPrivate().getAlgorithm())
                && !"EdDSA".equals(signing.getPrivate().getAlgorithm()))
            throw new IllegalArgumentException(
                    "signing key must be Ed25519: " + signing.getPrivate().getAlgorithm());
    }

    /** A member with the given signing key and credential and a fresh X25519 pair. */
    public static MemberIdentity of(NodeId id, KeyPair signing, byte[] credential) {
        return new MemberIdentity(id, signing, credential, newPair("X25519"));
    }

    /**
     * A member with fresh keys whose credential is its Ed25519 public key (SubjectPublicKeyInfo), for a
     * {@link PinnedMemberKeys} table (tests, simulations).
     */
    public static MemberIdentity generate(NodeId id) {
        KeyPair signing = newPair("Ed25519");
        return new MemberIdentity(id, signing, signing.getPublic().getEncoded(), newPair("X25519"));
    }

    /**
     * A member from its CA-issued credentials (io.egoist.security.ca): signs with the certificate's key, carries the
     * certificate (DER) as its credential; {@code id} must be the id the certificate binds.
     */
    public static MemberIdentity of(NodeId id, io.egoist.security.ca.Credentials c) {
        if (c.id().isTracker() || !id.equals(c.id().node()))
            throw new IllegalArgumentException("the certificate is for " + c.id() + ", not " + id);
        try {
            return of(
                    id,
                    new KeyPair(c.certificate().getPublicKey(), c.key()),
                    c.certificate().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the certificate: " + e.getMessage(), e);
        }
    }

    /** The same member under another id (a node that learns its port only when it binds). */
    public MemberIdentity withId(NodeId other) {
        return new MemberIdentity(other, signing, credential, agreement);
    }

    static KeyPair newPair(String algorithm) {
        try {
            return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable in this JDK", e);
        }
    }
}
