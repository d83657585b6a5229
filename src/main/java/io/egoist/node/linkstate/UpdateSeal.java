package io.egoist.node.linkstate;

import io.egoist.wire.Message;

/**
 * The hook that makes link state signed (secure mode): our own announcements are sealed before they are flooded,
 * and a received signed update is checked before it is used or forwarded. A pure component the core calls (no
 * I/O); {@link #OPEN} is open (v0.2) mode, where nothing is signed and plain updates are used as they come.
 * The implementation is io.egoist.security.sign.LinkStateSigning.
 */
public interface UpdateSeal {

    /** The outcome of checking a signed update: the origin's verified end-to-end key, or why it was refused. */
    record Check(boolean ok, String reason, byte[] e2eKey) {
        public static Check valid(byte[] e2eKey) {
            return new Check(true, null, e2eKey);
        }

        public static Check refused(String reason) {
            return new Check(false, reason, null);
        }
    }

    /** Whether link state must be signed: plain updates are then dropped, ours go out signed. */
    boolean secure();

    /** The line to flood for our own peer UPT line {@code updateLine} (open mode: the line itself). */
    String seal(String updateLine);

    /**
     * Checks a signed update from the network (the origin, its credential and its signature) at {@code nowMillis}
     * (the event's time: credentials expire).
     */
    Check check(Message.SignedUpdate u, long nowMillis);

    /** The CA bundle or the revocation list changed: credentials verified before are checked again. */
    default void forgetCredentials() {}

    /** Open mode: nothing signed, nothing checked. */
    UpdateSeal OPEN = new UpdateSeal() {
        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public String seal(String updateLine) {
            return updateLine;
        }

        @Override
        public Check check(Message.SignedUpdate u, long nowMillis) {
            return Check.refused("signed updates are not used in open mode");
        }
    };
}
