package io.egoist.security.sign;

import io.egoist.wire.NodeId;
import java.security.GeneralSecurityException;
import java.security.PublicKey;

/**
 * Who may sign link state for which node id: turns the credential an announcement carries into its origin's
 * verified Ed25519 public key. With a network CA the credential is the origin's member certificate and this is the
 * CA's certificate verification; {@link PinnedMemberKeys} is a fixed table of
 * keys (tests, simulations). Signing and checking of announcements ({@link LinkStateSigning}) depend only on this.
 */
public interface MemberKeys {

    /** A verified signing key and the time (epoch ms) until which its credential is valid. */
    record Verified(PublicKey key, long notAfterMillis) {}

    /**
     * {@code origin}'s signing key as {@code credential} certifies it at {@code nowMillis}; throws (with the reason as
     * message) when the credential is not valid then or does not bind {@code origin}.
     */
    Verified signingKey(NodeId origin, byte[] credential, long nowMillis) throws GeneralSecurityException;
}
