package io.egoist.node.routing;

import io.egoist.node.NodeConfig;
import io.egoist.node.links.OutLink;
import io.egoist.node.probe.Peer;
import io.egoist.sns.Graph;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Best-mode routes over a {@link View}: which nodes may be a first hop (measured, alive, speaking the data
 * extension) and at what cost (the measured RTT, mean of the last three samples), and which nodes may carry the
 * overlay part (not known to lack the data extension). The choice itself is {@link BestRoutes}'.
 */
final class SourceRoutes {
    private SourceRoutes() {}

    /** The overlay part's graph: the others' links, without nodes known not to speak data. */
    static BestRoutes bestRoutes(View v, Function<NodeId, Peer> peers) {
        Graph g = v.residual().copy();
        for (int i = 0; i < v.ids().size(); i++) {
            if (i == v.selfIdx() || !legacy(peers.apply(v.ids().get(i)))) continue;
            for (int u = 0; u < v.ids().size(); u++) g.removeEdge(u, i);
            g.clearOutEdges(i);
        }
        return new BestRoutes(g, v.selfIdx());
    }

    static Optional<Route> best(
            View v,
            BestRoutes b,
            int dst,
            Function<NodeId, Peer> peers,
            Function<NodeId, OutLink> upLink,
            boolean directLinks) {
        int n = v.ids().size();
        double[] first = new double[n];
        for (int i = 0; i < n; i++) {
            NodeId id = v.ids().get(i);
            first[i] = i == v.selfIdx() ? Double.NaN : firstHopCost(peers.apply(id), i == dst);
            if (!directLinks && upLink.apply(id) == null) first[i] = Double.NaN;
        }
        BestRoutes.Choice c = b.choose(dst, first);
        if (c == null) return Optional.empty();
        List<NodeId> path = new ArrayList<>(c.path().length);
        for (int x : c.path()) path.add(v.ids().get(x));
        NodeId to = v.ids().get(dst);
        Peer dp = peers.apply(to);
        double direct = dp != null && dp.candidate() ? dp.cost() : Double.NaN;
        NodeId next = path.get(1);
        return Optional.of(new Route(RouteMode.BEST, to, next, path, c.cost(), direct, upLink.apply(next) != null));
    }

    /**
     * The cost of sending straight to a node, NaN when it may not be a first hop: unmeasured, dead, or not known to
     * speak data (the destination itself only must not be known to lack it: traffic for it needs data anyway).
     */
    static double firstHopCost(Peer p, boolean isDestination) {
        if (p == null || !p.candidate()) return Double.NaN;
        if (p.features() == null) return isDestination ? p.cost() : Double.NaN;
        return p.features().contains(NodeConfig.FEATURE_DATA) ? p.cost() : Double.NaN;
    }

    private static boolean legacy(Peer p) {
        return p != null && p.features() != null && !p.features().contains(NodeConfig.FEATURE_DATA);
    }
}
