package io.egoist.sns;

import java.util.Arrays;

/**
 * A directed, weighted graph over nodes {@code 0..size-1}: at most one edge per ordered pair, weights finite
 * and non-negative (a delay in ms, or a bandwidth under {@link Metric#BANDWIDTH}). No self-loops.
 *
 * <p>Stored as one growable adjacency array per node (targets + weights side by side), so iterating a node's
 * out-edges is a plain array scan; setting/removing an edge scans that node's out-edges (overlay degrees are
 * small, k ≤ a few dozen). Sized for n = 10,000 nodes with k·n edges.
 */
public final class Graph {
    private static final int[] NO_TARGETS = new int[0];
    private static final double[] NO_WEIGHTS = new double[0];

    private final int n;
    /** {@code adj[u][0..deg[u])}: the targets of u's out-edges; read directly by {@link Dijkstra}. */
    final int[][] adj;
    /** {@code wt[u][e]}: the weight of the edge u → adj[u][e]. */
    final double[][] wt;

    final int[] deg;
    private int edges;

    public Graph(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        this.n = size;
        this.adj = new int[size][];
        this.wt = new double[size][];
        this.deg = new int[size];
        Arrays.fill(adj, NO_TARGETS);
        Arrays.fill(wt, NO_WEIGHTS);
    }

    public int size() {
        return n;
    }

    /** Adds or replaces the edge from → to. */
    public void setEdge(int from, int to, double weight) {
        check(from);
        check(to);
        if (from == to) {
            throw new IllegalArgumentException("self-loop at node " + from);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "weight of " + from + "->" + to + " must be finite and >= 0, got " + weight);
        }
        int e = indexOf(from, to);
        if (e >= 0) {
            wt[from][e] = weight;
            return;
        }
        int d = deg[from];
        if (d == adj[from].length) {
            int cap = Math.max(4, d * 2);
            adj[from] = Arrays.copyOf(adj[from], cap);
            wt[from] = Arrays.copyOf(wt[from], cap);
        }
        adj[from][d] = to;
        wt[from][d] = weight;
        deg[from] = d + 1;
        edges++;
    }

    public void removeEdge(int from, int to) {
        check(from);
        check(to);
        int e = indexOf(from, to);
        if (e < 0) {
            return;
        }
        int last = deg[from] - 1;
        adj[from][e] = adj[from][last];
        wt[from][e] = wt[from][last];
        deg[from] = last;
        edges--;
    }

    /** Removes every edge leaving {@code from} (used to form the residual graph G − i). */
    public void clearOutEdges(int from) {
        check(from);
        edges -= deg[from];
        deg[from] = 0;
    }

    /** The edge's weight, or {@code Double.NaN} when there is none. */
    public double weight(int from, int to) {
        check(from);
        check(to);
        int e = indexOf(from, to);
        return e < 0 ? Double.NaN : wt[from][e];
    }

    public boolean hasEdge(int from, int to) {
        check(from);
        check(to);
        return indexOf(from, to) >= 0;
    }

    /** The targets of {@code from}'s out-edges, in insertion order (a fresh array). */
    public int[] outNeighbors(int from) {
        check(from);
        return Arrays.copyOf(adj[from], deg[from]);
    }

    public int outDegree(int from) {
        check(from);
        return deg[from];
    }

    public int edgeCount() {
        return edges;
    }

    public Graph copy() {
        Graph g = new Graph(n);
        for (int u = 0; u < n; u++) {
            if (deg[u] > 0) {
                g.adj[u] = Arrays.copyOf(adj[u], deg[u]);
                g.wt[u] = Arrays.copyOf(wt[u], deg[u]);
                g.deg[u] = deg[u];
            }
        }
        g.edges = edges;
        return g;
    }

    /** The same graph with every edge reversed (used for strong-connectivity checks). */
    public Graph reversed() {
        Graph r = new Graph(n);
        for (int u = 0; u < n; u++) {
            for (int e = 0; e < deg[u]; e++) {
                r.setEdge(adj[u][e], u, wt[u][e]);
            }
        }
        return r;
    }

    private int indexOf(int from, int to) {
        int[] a = adj[from];
        for (int e = 0, d = deg[from]; e < d; e++) {
            if (a[e] == to) {
                return e;
            }
        }
        return -1;
    }

    private void check(int v) {
        if (v < 0 || v >= n) {
            throw new IndexOutOfBoundsException("node " + v + " outside 0.." + (n - 1));
        }
    }

    @Override
    public String toString() {
        return "Graph[n=" + n + ", edges=" + edges + "]";
    }
}
