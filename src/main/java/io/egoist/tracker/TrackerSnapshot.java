package io.egoist.tracker;

import io.egoist.wire.NodeId;
import java.util.List;
import java.util.Optional;

/** An immutable picture of the tracker's overlay: nodes in registration order, each with its links. */
public record TrackerSnapshot(List<TrackerNode> nodes) {

    public static final TrackerSnapshot EMPTY = new TrackerSnapshot(List.of());

    public TrackerSnapshot {
        nodes = List.copyOf(nodes);
    }

    public int nodeCount() {
        return nodes.size();
    }

    public int linkCount() {
        int n = 0;
        for (TrackerNode node : nodes) n += node.links().size();
        return n;
    }

    public Optional<TrackerNode> node(NodeId id) {
        for (TrackerNode n : nodes) if (n.id().equals(id)) return Optional.of(n);
        return Optional.empty();
    }

    public List<NodeId> ids() {
        return nodes.stream().map(TrackerNode::id).toList();
    }
}
