package io.egoist.wire;

/**
 * The revocation-list exchange, an additive extension of secure mode only (it runs inside mutual TLS on the
 * tracker's port, so a v0.2 peer never sees it). A node sends the one line {@link #REQUEST} on a new connection;
 * the tracker answers one line, {@code CRL@<list>} (the CA-signed CRLs, each as standard Base64 of its DER,
 * separated by {@code ,}) or {@code NACK@crl: <reason>}, and closes. See docs/PROTOCOL.md.
 */
public final class CrlLines {
    private CrlLines() {}

    /** The request line (without CR LF). */
    public static final String REQUEST = "CRL";

    /** The reply's type; the list follows the delimiter. */
    public static final String REPLY = "CRL";

    /** The reply line for a list in wire form. */
    public static String reply(String wireForm) {
        return REPLY + Seed.PACK_DELIMITER + wireForm;
    }

    /** The list in a reply line, or null if the line is not a {@code CRL@} reply. */
    public static String listOf(String line) {
        String prefix = REPLY + Seed.PACK_DELIMITER;
        return line.startsWith(prefix) ? line.substring(prefix.length()) : null;
    }
}
