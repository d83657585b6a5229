package io.egoist.sns;

/** The one place for shortest (and widest) paths in the project. */
public final class ShortestPaths {
    private ShortestPaths() {}

    /** Dijkstra from {@code source}: {@code dist[v]} in the graph, {@code +Infinity} when unreachable. */
    public static double[] distances(Graph g, int source) { throw new UnsupportedOperationException("TODO sns"); }

    /** Dijkstra with the predecessor of every node on its shortest path ({@code -1} for the source and unreachable). */
    public static Tree tree(Graph g, int source) { throw new UnsupportedOperationException("TODO sns"); }

    /** Widest (max-min) paths: {@code width[v]}, {@code +Infinity} for the source, 0 when unreachable. */
    public static double[] widths(Graph g, int source) { throw new UnsupportedOperationException("TODO sns"); }

    public record Tree(double[] dist, int[] parent) {
        /** The path source → ... → target, or an empty array when unreachable. */
        public int[] pathTo(int target) { throw new UnsupportedOperationException("TODO sns"); }
    }
}
