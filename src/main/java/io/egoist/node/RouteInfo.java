package io.egoist.node;

import io.egoist.wire.NodeId;
import java.util.List;

/**
 * One entry of a node's routing table: the shortest overlay path to {@code destination} over the node's
 * link-state view ({@code path} starts with the node itself and ends with the destination).
 */
public record RouteInfo(NodeId destination, NodeId nextHop, List<NodeId> path, double cost) {
    public RouteInfo {
        path = List.copyOf(path);
    }
}
