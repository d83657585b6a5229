package io.egoist.sns;

import java.util.Arrays;

/**
 * The one place for shortest (and widest) paths in the project. Dijkstra with an indexed binary heap
 * (decrease-key): O((n + m) log n) per source.
 */
public final class ShortestPaths {
    private ShortestPaths() {}

    /** Dijkstra from {@code source}: {@code dist[v]} in the graph, {@code +Infinity} when unreachable. */
    public static double[] distances(Graph g, int source) {
        return distances(g, source, -1);
    }

    /**
     * Dijkstra from {@code source} ignoring the out-edges of {@code skip} (−1 for none): with {@code skip = i}
     * this is a search in the residual graph G − i without copying it.
     */
    public static double[] distances(Graph g, int source, int skip) {
        checkSource(g, source);
        double[] dist = new double[g.size()];
        new Dijkstra(g.size()).shortest(g, source, skip, dist, null);
        return dist;
    }

    /** Dijkstra with the predecessor of every node on its shortest path ({@code -1} for the source and unreachable). */
    public static Tree tree(Graph g, int source) {
        checkSource(g, source);
        int n = g.size();
        double[] dist = new double[n];
        int[] parent = new int[n];
        new Dijkstra(n).shortest(g, source, -1, dist, parent);
        return new Tree(dist, parent);
    }

    /** Widest (max-min) paths: {@code width[v]}, {@code +Infinity} for the source, 0 when unreachable. */
    public static double[] widths(Graph g, int source) {
        return widths(g, source, -1);
    }

    /** Widest paths ignoring the out-edges of {@code skip} (−1 for none). */
    public static double[] widths(Graph g, int source, int skip) {
        checkSource(g, source);
        double[] width = new double[g.size()];
        new Dijkstra(g.size()).widest(g, source, skip, width, null);
        return width;
    }

    /** Path values under a metric: {@link #distances} for delay, {@link #widths} for bandwidth. */
    public static double[] values(Graph g, int source, Metric metric) {
        return metric == Metric.BANDWIDTH ? widths(g, source) : distances(g, source);
    }

    private static void checkSource(Graph g, int source) {
        if (source < 0 || source >= g.size()) {
            throw new IndexOutOfBoundsException("source " + source + " outside 0.." + (g.size() - 1));
        }
    }

    /** A shortest-path tree: unreachable nodes have {@code dist = +Infinity} and {@code parent = -1}. */
    public record Tree(double[] dist, int[] parent) {
        /** The path source → ... → target, or an empty array when unreachable. */
        public int[] pathTo(int target) {
            if (target < 0 || target >= parent.length) {
                throw new IndexOutOfBoundsException("target " + target);
            }
            if (!(dist[target] < Double.POSITIVE_INFINITY)) {
                return new int[0];
            }
            int len = 1;
            for (int v = target; parent[v] >= 0; v = parent[v]) {
                if (++len > parent.length) {
                    throw new IllegalStateException("parent pointers form a cycle");
                }
            }
            int[] path = new int[len];
            int v = target;
            for (int i = len - 1; i >= 0; i--) {
                path[i] = v;
                v = parent[v];
            }
            return path;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tree t && Arrays.equals(dist, t.dist) && Arrays.equals(parent, t.parent);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(dist) + Arrays.hashCode(parent);
        }

        @Override
        public String toString() {
            return "Tree[dist=" + Arrays.toString(dist) + ", parent=" + Arrays.toString(parent) + "]";
        }
    }
}
