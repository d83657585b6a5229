package io.egoist.wire;

/**
 * The constants of the EGOIST v0.2 release, under the names the seed gives them, so that a reader can
 * hold this code against the original. Durations are in milliseconds unless the name says otherwise.
 */
public final class Seed {
    private Seed() {}

    public static final int BOOTSTRAP_PORT = 61223;
    public static final int PACKET_TYPE = 0;

    public static final String PACK_DELIMITER = "@";
    public static final String PORT_DELIMITER = ":";
    public static final String NEIGHBOR_DELIMITER = "|";
    public static final String OVERLAY_DELIMITER = "#";
    /** Defined by the seed, never used on the wire. */
    public static final String UPDT_DELIMITER = "**";

    public static final String REGISTER = "REG";
    public static final String UPDATE = "UPT";
    public static final String REMOVE = "RMV";
    public static final String TEARDOWN = "TRD";
    public static final String NACK = "NACK";
    public static final String OVERLAY_PACKET = "OVER";
    public static final String NET_PACKET = "NET";
    public static final String SEG = "SEG";

    /** A tracker reply line at least this long is segmented. */
    public static final int PKT_LIMIT = 8190;
    /** Longest line a receiver accepts (Twisted's LineOnlyReceiver.MAX_LENGTH). */
    public static final int MAX_LENGTH = 16384;

    public static final long REMOVE_PERIOD_MS = 50_000;
    public static final long PING_PERIOD_MS = 35_000;
    public static final long PING_TIMEOUT_MS = 3_000;
    public static final long REWIRING_PERIOD_MS = 60_000;
    public static final long ERASE_HASH_MS = 5 * REWIRING_PERIOD_MS;

    /** Peer update sequence numbers count modulo this. */
    public static final int PKT_IDS_LIMIT = 5000;

    /** Field indices in a peer update after splitting on PACK_DELIMITER. */
    public static final int UPDATE_HASH = 1;

    public static final int UPDATE_ID = 2;
    public static final int UPDATE_SRC = 3;

    /** Cost in ms assumed for a link before it is measured. */
    public static final double BOOT_DELAY = 500;
    /** Cost meaning "unreachable": Python 2's maxint - 1000. */
    public static final double HUGE_DELAY = 9223372036854775807.0 - 1000;

    public static final int MIL = 1000;

    /** Line terminator on the wire. */
    public static final String CRLF = "\r\n";
}
