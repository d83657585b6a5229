package io.egoist.node;

import io.egoist.core.Event;
import io.egoist.node.routing.RouteMode;
import io.egoist.wire.NodeId;

/** Local commands to a {@link NodeCore} (from the application, the control API or a test). */
public interface NodeEvent extends Event {

    /**
     * Send {@code payload} to node {@code to} over the overlay. The outcome comes back as
     * {@link NodeEffect.DataAcked} or {@link NodeEffect.DataFailed} carrying the same {@code requestId}. {@code
     * mode}: how the source routes it (null = {@link RouteMode#OVERLAY}, the papers' routing).
     */
    record SendData(String requestId, NodeId to, byte[] payload, RouteMode mode) implements NodeEvent {
        /** Sent in the default mode (overlay). */
        public SendData(String requestId, NodeId to, byte[] payload) {
            this(requestId, to, payload, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SendData s
                    && requestId.equals(s.requestId)
                    && to.equals(s.to)
                    && java.util.Objects.equals(mode, s.mode)
                    && java.util.Arrays.equals(payload, s.payload);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(requestId, to, mode) * 31 + java.util.Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "SendData[" + requestId + " to=" + to + " bytes=" + payload.length + "]";
        }
    }

    /**
     * The tunnel plane routes frames over direct links to these nodes (best-mode first hops that are not
     * neighbors; sent about every 200 ms while in use, never per frame): each is opened if missing (bounded by
     * {@code DirectLinks.MAX_LINKS}), counts as used now and gets a keepalive line when due. Its connection, once
     * up, is read with {@link NodeCore#directLinkConn}.
     */
    record KeepDirectLinks(java.util.Set<NodeId> peers) implements NodeEvent {
        public KeepDirectLinks {
            peers = java.util.Set.copyOf(peers);
        }
    }
}
