package io.egoist.node.routing;

import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import java.util.HashMap;
import java.util.Map;

/**
 * Mode {@link RouteMode#BEST} over one snapshot of the overlay: for a destination d, the cheapest of "first hop f
 * (any node with a usable first-hop cost, d itself included), then the overlay's shortest path from f to d". The
 * overlay part runs over the others' links only and never through the source (a path that came back through us
 * would cost more than leaving from us). Distances to d come from one Dijkstra over the reversed graph, cached per
 * destination; first-hop costs are passed at each query (they change with every probe). Pure: no I/O.
 */
public final class BestRoutes {
    /** A chosen route: node indices from the source to the destination, and its cost. */
    public record Choice(int[] path, double cost) {
        public int firstHop() {
            return path[1];
        }
    }

    private final Graph reversed;
    private final int self;
    private final Map<Integer, ShortestPaths.Tree> towards = new HashMap<>();

    /**
     * {@code overlay}: the others' links (our own out-edges, and edges into us, are ignored here); {@code self}:
     * the source's index.
     */
    public BestRoutes(Graph overlay, int self) {
        Graph g = overlay.copy();
        g.clearOutEdges(self);
        for (int u = 0; u < g.size(); u++) g.removeEdge(u, self);
        this.reversed = g.reversed();
        this.self = self;
    }

    /** The overlay's shortest distance from every node to {@code dst} (without passing through the source). */
    public double[] distancesTo(int dst) {
        return tree(dst).dist();
    }

    private ShortestPaths.Tree tree(int dst) {
        return towards.computeIfAbsent(dst, d -> ShortestPaths.tree(reversed, d));
    }

    /**
     * The best route to {@code dst}, or null when no usable first hop reaches it. {@code firstHop[f]}: the cost of
     * sending straight to f (NaN or infinite = f may not be a first hop). Ties go to the direct path, then to
     * the fewest hops, then to the lowest index, so the choice is deterministic.
     */
    public Choice choose(int dst, double[] firstHop) {
        if (dst == self) return null;
        ShortestPaths.Tree t = tree(dst);
        double[] dist = t.dist();
        int best = -1;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int f = 0; f < firstHop.length; f++) {
            if (f == self || !(firstHop[f] < Double.POSITIVE_INFINITY) || !(firstHop[f] >= 0)) continue;
            if (!(dist[f] < Double.POSITIVE_INFINITY)) continue;
            double c = firstHop[f] + dist[f];
            boolean better = c < bestCost
                    || (c == bestCost && best != dst && (f == dst || t.pathTo(f).length < t.pathTo(best).length));
            if (better) {
                best = f;
                bestCost = c;
            }
        }
        if (best < 0) return null;
        int[] fromF = t.pathTo(best); // dst ... best in the reversed graph: best ... dst read backwards
        int[] path = new int[fromF.length + 1];
        path[0] = self;
        for (int i = 0; i < fromF.length; i++) path[i + 1] = fromF[fromF.length - 1 - i];
        return new Choice(path, bestCost);
    }
}
