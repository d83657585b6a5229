package io.egoist.node.data;

import io.egoist.wire.NodeId;

/**
 * The hook that makes DATA end to end (secure mode): the payload is sealed by the source for the destination and
 * opened there, and the destination's acknowledgement carries a proof that it was the destination that acknowledged.
 * Relays only forward. A pure component the core calls (no I/O); {@link #OPEN} is open mode, where payloads travel
 * as they are. The implementation is io.egoist.security.e2e.DataBox.
 */
public interface DataSeal {

    boolean secure();

    /** Bytes a sealed payload is longer than the plain one (open mode: 0). */
    int overhead();

    /** {@code node}'s verified public key for end-to-end DATA (from its signed announcement). */
    void learn(NodeId node, byte[] publicKey);

    /** Whether we hold a key for {@code node}, i.e. can seal for it and open what it sealed. */
    boolean knows(NodeId node);

    /** The payload sealed by us for {@code dst} as message {@code msgId}; null when we have no key for dst. */
    byte[] seal(NodeId dst, String msgId, byte[] plain);

    /** The payload {@code src} sealed for us as {@code msgId}, or null when it is not authentic. */
    byte[] open(NodeId src, String msgId, byte[] sealed);

    /** Our proof (as the destination) that we received {@code msgId} from {@code src}; null if we cannot make one. */
    byte[] ackProof(NodeId src, String msgId);

    /** Whether {@code proof} shows that {@code acker} acknowledged our message {@code msgId}. */
    boolean ackValid(NodeId acker, String msgId, byte[] proof);

    /** Open mode: payloads as they are, acknowledgements taken as they come. */
    DataSeal OPEN = new DataSeal() {
        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public int overhead() {
            return 0;
        }

        @Override
        public void learn(NodeId node, byte[] publicKey) {}

        @Override
        public boolean knows(NodeId node) {
            return true;
        }

        @Override
        public byte[] seal(NodeId dst, String msgId, byte[] plain) {
            return plain;
        }

        @Override
        public byte[] open(NodeId src, String msgId, byte[] sealed) {
            return sealed;
        }

        @Override
        public byte[] ackProof(NodeId src, String msgId) {
            return null;
        }

        @Override
        public boolean ackValid(NodeId acker, String msgId, byte[] proof) {
            return true;
        }
    };
}
