package io.egoist.wire;

/**
 * Lines to messages and back. The same line means different things in different places (a tracker-form
 * and a peer-form UPT look alike), so decoding takes the context the line arrived in.
 *
 * <p>Decoding never throws, whatever the input: it returns {@link Decoded.Ok} or {@link Decoded.Err}.
 * Encoding produces lines (without CR LF) that the v0.2 release parses the same way; costs are written as
 * plain decimals.
 */
public final class WireCodec {
    private WireCodec() {}

    /** Where a line was received; decides which packet types are legal. */
    public enum Context {
        /** At the tracker, from a node: REG, UPT (tracker form), RMV. */
        TRACKER_INBOUND,
        /** At a node, from the tracker: REG reply (one line or empty), OVER, NET, NACK. */
        TRACKER_REPLY,
        /** On a neighbor link between nodes: UPT (peer form), TRD, and extensions HB, DATA, DACK, NACK. */
        PEER_LINK,
        /** On an echo connection: HELLO (anything else is an echo payload). */
        ECHO
    }

    public static Decoded decode(Context context, String line) {
        throw new UnsupportedOperationException("TODO: wire codec");
    }

    public static String encode(Message message) {
        throw new UnsupportedOperationException("TODO: wire codec");
    }

    /** A cost as the original prints it and parses it back: plain decimal, no exponent, shortest form. */
    public static String formatCost(double cost) {
        throw new UnsupportedOperationException("TODO: wire codec");
    }
}
