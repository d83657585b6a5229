package io.egoist.node.routing;

import java.util.Locale;

/**
 * How a source picks the route for its own traffic. Relays always forward along their overlay shortest paths (a
 * relay never re-chooses in {@link #BEST} mode: that keeps hop-by-hop forwarding loop-free), so a mode matters
 * only where traffic enters the overlay.
 */
public enum RouteMode {
    /**
     * The lowest cost over "straight to the destination, or any measured node as the first hop and the overlay's
     * shortest path from it". Never worse than the direct path when the direct RTT is known. A first hop that is
     * not a neighbor is reached over a direct link the source opens for it.
     */
    BEST,
    /** The papers' routing: the shortest path over the overlay's links (our out-links first). */
    OVERLAY;

    /** The mode's name on the command line and in the control API. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code best} or {@code overlay} (any case); IllegalArgumentException with a readable reason. */
    public static RouteMode parse(String text) {
        if (text != null) {
            for (RouteMode m : values()) if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) return m;
        }
        return fail(text);
    }

    private static RouteMode fail(String text) {
        throw new IllegalArgumentException("mode must be best or overlay, not '" + text + "'");
    }
}
