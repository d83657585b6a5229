package io.egoist.security.sign;

import io.egoist.wire.NodeId;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fixed table of members' Ed25519 public keys by node id; the credential an announcement carries is the
 * origin's public key itself (X.509 SubjectPublicKeyInfo bytes), accepted only if it is the key pinned for that id.
 * For tests and simulations, where no CA is at hand; thread-safe so that nodes of one process can share it.
 */
public final class PinnedMemberKeys implements MemberKeys {
    private final Map<NodeId, byte[]> keys = new ConcurrentHashMap<>();

    /** Pins {@code member}'s key (its credential) under its id; returns this. */
    public PinnedMemberKeys pin(MemberIdentity member) {
        keys.put(member.id(), member.credential().clone());
        return this;
    }

    /** Pins {@code credential} (SubjectPublicKeyInfo bytes of an Ed25519 key) for {@code id}; returns this. */
    public PinnedMemberKeys pin(NodeId id, byte[] credential) {
        keys.put(id, credential.clone());
        return this;
    }

    /** Forgets {@code id} (a member cut off). */
    public void unpin(NodeId id) {
        keys.remove(id);
    }

    @Override
    public Verified signingKey(NodeId origin, byte[] credential, long nowMillis) throws GeneralSecurityException {
        byte[] pinned = keys.get(origin);
        if (pinned == null) throw new GeneralSecurityException("no key pinned for " + origin);
        if (!Arrays.equals(pinned, credential))
            throw new GeneralSecurityException("credential is not the key pinned for " + origin);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(credential));
        return new Verified(key, Long.MAX_VALUE);
    }
}
