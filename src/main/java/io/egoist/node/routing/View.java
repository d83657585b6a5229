package io.egoist.node.routing;

import io.egoist.node.NodeConfig;
import io.egoist.node.RouteInfo;
import io.egoist.node.probe.Peer;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A snapshot of the routing view: the index (self + known live nodes in node order), the residual graph (the
 * others' announced links that are up), the full graph (plus our links that are up), and the shortest-path
 * trees over it (all traffic; DATA/DACK).
 */
public final class View {
    private final List<NodeId> ids;
    private final Map<NodeId, Integer> index;
    private final int selfIdx;
    private final Graph residual;
    private final Graph full;
    private final ShortestPaths.Tree tree;
    private final Function<NodeId, Peer> peers;
    private final Predicate<NodeId> isNeighbor;
    private ShortestPaths.Tree dataTree;

    View(
            List<NodeId> ids,
            Map<NodeId, Integer> index,
            int selfIdx,
            Graph residual,
            Graph full,
            Function<NodeId, Peer> peers,
            Predicate<NodeId> isNeighbor) {
        this.ids = ids;
        this.index = index;
        this.selfIdx = selfIdx;
        this.residual = residual;
        this.full = full;
        this.tree = ShortestPaths.tree(full, selfIdx);
        this.peers = peers;
        this.isNeighbor = isNeighbor;
    }

    public List<NodeId> ids() {
        return ids;
    }

    public Integer indexOf(NodeId n) {
        return index.get(n);
    }

    public int selfIdx() {
        return selfIdx;
    }

    public Graph residual() {
        return residual;
    }

    public ShortestPaths.Tree tree() {
        return tree;
    }

    /** The route to node index {@code j} over {@code t}, or null when unreachable. */
    public RouteInfo route(int j, ShortestPaths.Tree t) {
        int[] p = t.pathTo(j);
        if (p.length < 2) return null;
        List<NodeId> path = new ArrayList<>(p.length);
        for (int x : p) path.add(ids.get(x));
        return new RouteInfo(ids.get(j), path.get(1), path, t.dist()[j]);
    }

    /**
     * Shortest paths for DATA/DACK: like {@link #tree} but never through or to a node that does not speak the data
     * extension, and leaving us only over links whose peer is known to speak it. Computed on first use.
     */
    public ShortestPaths.Tree dataTree() {
        if (dataTree != null) return dataTree;
        boolean same = true;
        for (int i = 0; i < ids.size() && same; i++) {
            if (i == selfIdx) continue;
            Peer p = peers.apply(ids.get(i));
            boolean legacy = p != null && p.features() != null && !p.features().contains(NodeConfig.FEATURE_DATA);
            boolean ownUnknown = isNeighbor.test(ids.get(i)) && (p == null || p.features() == null);
            if (legacy || ownUnknown) same = false;
        }
        if (same) {
            dataTree = tree;
            return dataTree;
        }
        Graph g = full.copy();
        for (int i = 0; i < ids.size(); i++) {
            if (i == selfIdx) continue;
            Peer p = peers.apply(ids.get(i));
            boolean legacy = p != null && p.features() != null && !p.features().contains(NodeConfig.FEATURE_DATA);
            if (legacy) {
                for (int u = 0; u < ids.size(); u++) g.removeEdge(u, i);
                g.clearOutEdges(i);
            } else if (p == null || p.features() == null) {
                g.removeEdge(selfIdx, i);
            }
        }
        dataTree = ShortestPaths.tree(g, selfIdx);
        return dataTree;
    }
}
