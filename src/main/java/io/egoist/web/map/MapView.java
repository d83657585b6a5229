package io.egoist.web.map;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.List;

/**
 * What the live map draws: the nodes with their out-links, as the tracker or one node knows them.
 *
 * @param mode  {@code tracker} or {@code node}
 * @param self  the node serving the map, or null at the tracker
 * @param nodes every node, in a stable order
 */
public record MapView(String mode, NodeId self, List<Node> nodes) {
    public MapView {
        nodes = List.copyOf(nodes);
    }

    /**
     * One node.
     *
     * @param lastSeenMs epoch ms of its last sign of life (tracker), or -1 when not known
     * @param suspect    reported dead, being probed (tracker)
     * @param dead       believed dead by the serving node's probes (node)
     */
    public record Node(NodeId id, long lastSeenMs, boolean suspect, boolean dead, List<Link> links) {
        public Node {
            links = List.copyOf(links);
        }
    }
}
