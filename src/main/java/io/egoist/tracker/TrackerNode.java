package io.egoist.tracker;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * One registered node as the tracker knows it: its id, when it last showed a sign of life (REG or UPT,
 * epoch ms), whether another node has reported it dead (suspect), and its out-links from its last UPT.
 */
public record TrackerNode(NodeId id, long lastSeenMs, boolean suspect, List<Link> links) {
    public TrackerNode {
        Objects.requireNonNull(id, "id");
        links = List.copyOf(links);
    }
}
