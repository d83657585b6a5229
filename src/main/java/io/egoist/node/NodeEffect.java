package io.egoist.node;

import io.egoist.core.Effect;
import io.egoist.wire.NodeId;
import java.util.List;

/** What a {@link NodeCore} hands to the application (besides the generic I/O effects). */
public interface NodeEffect extends Effect {

    /** A DATA message for this node arrived: its source, payload and the path it took (source first, us last). */
    record Deliver(NodeId from, byte[] payload, List<NodeId> path) implements NodeEffect {
        public Deliver {
            path = List.copyOf(path);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Deliver d
                    && from.equals(d.from)
                    && path.equals(d.path)
                    && java.util.Arrays.equals(payload, d.payload);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(from, path) * 31 + java.util.Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Deliver[from=" + from + " path=" + path + " bytes=" + payload.length + "]";
        }
    }

    /**
     * The destination acknowledged a {@link NodeEvent.SendData}: {@code path} is the forward path (us first,
     * the destination last); round-trip time = {@code ackedAtMillis - sentAtMillis}.
     */
    record DataAcked(String requestId, List<NodeId> path, long sentAtMillis, long ackedAtMillis) implements NodeEffect {
        public DataAcked {
            path = List.copyOf(path);
        }

        public long rttMillis() {
            return ackedAtMillis - sentAtMillis;
        }
    }

    /** A {@link NodeEvent.SendData} failed: no route, data plane disabled, or no acknowledgement in time. */
    record DataFailed(String requestId, String reason) implements NodeEffect {}
}
