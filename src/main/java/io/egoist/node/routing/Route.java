package io.egoist.node.routing;

import io.egoist.node.RouteInfo;
import io.egoist.wire.NodeId;
import java.util.List;

/**
 * A route for traffic this node originates, in one {@link RouteMode}: the path (this node first, the destination
 * last), its cost (the sum of the measured/announced RTTs along it, ms), the measured direct RTT to the
 * destination (NaN when not measured), and how the first hop is carried: over one of our out-links
 * ({@code viaOutLink}) or over a direct link to a node that is not our neighbor (which the node opens on demand,
 * see {@code io.egoist.node.links.DirectLinks}).
 */
public record Route(
        RouteMode mode,
        NodeId destination,
        NodeId nextHop,
        List<NodeId> path,
        double cost,
        double directCost,
        boolean viaOutLink) {
    public Route {
        path = List.copyOf(path);
    }

    /** The same route as a routing-table entry. */
    public RouteInfo info() {
        return new RouteInfo(destination, nextHop, path, cost);
    }
}
