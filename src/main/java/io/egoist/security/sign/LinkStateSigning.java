package io.egoist.security.sign;

import io.egoist.node.linkstate.UpdateSeal;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.SignedUpdateCodec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signed link state (secure mode): our announcements leave signed with our Ed25519 key and carry our credential
 * and our end-to-end public key; a received one is checked against the key its origin's credential certifies
 * ({@link MemberKeys}) before the node uses or forwards it. A pure component the node core calls on its own
 * thread (no I/O, not thread-safe; one per node).
 *
 * <p>The credential travels with every announcement, so any receiver can check any announcement on its own
 * (newcomers, restarted nodes, nodes that never met the origin) without asking anyone; what is verified once is the
 * credential: the key it yields is cached, until the credential's expiry, by the SHA-256 fingerprint of (origin, credential), at most
 * {@link #MAX_CACHED_CREDENTIALS} entries, oldest dropped first, all of them dropped by {@link #forgetCredentials}
 * (call it when the CA bundle or the revocation list changes). The signature itself is checked on every
 * announcement that is not a duplicate.
 */
public final class LinkStateSigning implements UpdateSeal {
    /** Verified credentials remembered (one per member, plus rotated ones). */
    public static final int MAX_CACHED_CREDENTIALS = 4096;

    private final MemberIdentity self;
    private final MemberKeys members;
    private final byte[] e2ePublic;
    private final Signature signer;
    private final Signature verifier;
    private final MessageDigest sha256;
    private final Map<String, MemberKeys.Verified> verified = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MemberKeys.Verified> e) {
            return size() > MAX_CACHED_CREDENTIALS;
        }
    };

    public LinkStateSigning(MemberIdentity self, MemberKeys members) {
        this.self = self;
        this.members = members;
        this.e2ePublic = self.agreement().getPublic().getEncoded();
        try {
            this.signer = Signature.getInstance("Ed25519");
            this.signer.initSign(self.signing().getPrivate());
            this.verifier = Signature.getInstance("Ed25519");
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean secure() {
        return true;
    }

    @Override
    public String seal(String updateLine) {
        try {
            signer.update(SignedLinkState.signedBytes(updateLine, e2ePublic));
            return SignedUpdateCodec.encode(updateLine, self.credential(), e2ePublic, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign our announcement: " + e.getMessage(), e);
        }
    }

    @Override
    public Check check(Message.SignedUpdate u, long nowMillis) {
        NodeId origin = u.update().source();
        PublicKey key;
        try {
            key = keyOf(origin, u.credential(), nowMillis);
        } catch (GeneralSecurityException e) {
            return Check.refused("credential: " + e.getMessage());
        }
        try {
            verifier.initVerify(key);
            verifier.update(SignedLinkState.signedBytes(u.unsignedLine(), u.e2eKey()));
            if (!verifier.verify(u.signature())) return Check.refused("bad signature");
        } catch (GeneralSecurityException e) {
            return Check.refused("bad signature: " + e.getMessage());
        }
        return Check.valid(u.e2eKey());
    }

    /** Drops the verified credentials (the CA bundle or the revocation list changed): each is checked again. */
    @Override
    public void forgetCredentials() {
        verified.clear();
    }

    private PublicKey keyOf(NodeId origin, byte[] credential, long nowMillis) throws GeneralSecurityException {
        sha256.update(origin.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sha256.update((byte) 0);
        String fingerprint = HexFormat.of().formatHex(sha256.digest(credential));
        MemberKeys.Verified v = verified.get(fingerprint);
        if (v != null && nowMillis <= v.notAfterMillis()) return v.key();
        verified.remove(fingerprint); // expired: checked again (and refused)
        v = members.signingKey(origin, Arrays.copyOf(credential, credential.length), nowMillis);
        verified.put(fingerprint, v);
        return v.key();
    }
}
