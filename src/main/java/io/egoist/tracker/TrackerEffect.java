package io.egoist.tracker;

import io.egoist.core.Effect;
import io.egoist.wire.NodeId;

/**
 * The tracker core's own effects: changes to persist. Each one is the complete new state of one node
 * (row and out-links) or its deletion, so a store may coalesce them per node (last one wins) and write
 * them in any order.
 */
public sealed interface TrackerEffect extends Effect {

    NodeId id();

    /** Write this node (last-seen, suspect flag) and replace its stored out-links with {@code node.links()}. */
    record PersistNode(TrackerNode node) implements TrackerEffect {
        @Override
        public NodeId id() {
            return node.id();
        }
    }

    /** Delete this node and its out-links. */
    record DeleteNode(NodeId id) implements TrackerEffect {}
}
