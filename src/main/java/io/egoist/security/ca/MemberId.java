package io.egoist.security.ca;

import io.egoist.wire.NodeId;
import java.util.Objects;

/**
 * Who a member certificate speaks for: one overlay node ({@code IP:PORT}) or the tracker. Written into the
 * certificate as the subject alternative name URI {@code egoist:node:IP:PORT} or {@code egoist:tracker}.
 *
 * @param node the node id, or null for the tracker
 */
public record MemberId(NodeId node) {

    /** URI prefix of a node's id in its certificate. */
    public static final String NODE_URI_PREFIX = "egoist:node:";
    /** URI of the tracker's id in its certificate. */
    public static final String TRACKER_URI = "egoist:tracker";

    public static final MemberId TRACKER = new MemberId(null);

    public static MemberId of(NodeId node) {
        return new MemberId(Objects.requireNonNull(node, "node"));
    }

    public boolean isTracker() {
        return node == null;
    }

    /**
     * Parses {@code tracker} or {@code IP:PORT}; throws IllegalArgumentException with the precise reason.
     */
    public static MemberId parse(String text) {
        if ("tracker".equals(text)) return TRACKER;
        String why = NodeId.problem(text);
        if (why != null) throw new IllegalArgumentException("not 'tracker' or IP:PORT: " + why);
        return of(NodeId.parse(text));
    }

    /** The id as written in a certificate. */
    public String uri() {
        return isTracker() ? TRACKER_URI : NODE_URI_PREFIX + node;
    }

    /** The id from a certificate's URI, or null if the URI is not an egoist id. */
    public static MemberId fromUri(String uri) {
        if (TRACKER_URI.equals(uri)) return TRACKER;
        if (uri == null || !uri.startsWith(NODE_URI_PREFIX)) return null;
        NodeId id = NodeId.tryParse(uri.substring(NODE_URI_PREFIX.length()));
        return id == null ? null : of(id);
    }

    @Override
    public String toString() {
        return isTracker() ? "tracker" : node.toString();
    }
}
