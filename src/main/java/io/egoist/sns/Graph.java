package io.egoist.sns;

/**
 * A directed, weighted graph over nodes {@code 0..size-1}: at most one edge per ordered pair, weights finite
 * and non-negative (a delay in ms, or a bandwidth under {@link Metric#BANDWIDTH}).
 */
public final class Graph {
    public Graph(int size) { throw new UnsupportedOperationException("TODO sns"); }
    public int size() { throw new UnsupportedOperationException("TODO sns"); }
    /** Adds or replaces the edge from → to. */
    public void setEdge(int from, int to, double weight) { throw new UnsupportedOperationException("TODO sns"); }
    public void removeEdge(int from, int to) { throw new UnsupportedOperationException("TODO sns"); }
    /** Removes every edge leaving {@code from} (used to form the residual graph G − i). */
    public void clearOutEdges(int from) { throw new UnsupportedOperationException("TODO sns"); }
    /** The edge's weight, or {@code Double.NaN} when there is none. */
    public double weight(int from, int to) { throw new UnsupportedOperationException("TODO sns"); }
    public int[] outNeighbors(int from) { throw new UnsupportedOperationException("TODO sns"); }
    public int edgeCount() { throw new UnsupportedOperationException("TODO sns"); }
    public Graph copy() { throw new UnsupportedOperationException("TODO sns"); }
}
