package io.egoist.sns;

import java.util.Arrays;

/**
 * Reusable single-source shortest / widest path engine: an indexed binary min-heap with decrease-key over
 * the nodes, sized once and reused across many runs (best responses run one search per candidate).
 * Not thread-safe; one instance per computation.
 */
final class Dijkstra {
    private final int n;
    private final int[] heap;
    private final int[] pos;
    private final double[] key;
    private int size;

    Dijkstra(int n) {
        this.n = n;
        this.heap = new int[n];
        this.pos = new int[n];
        this.key = new double[n];
    }

    int size() {
        return n;
    }

    /**
     * Shortest-path costs from {@code source} into {@code dist} (+Infinity when unreachable). The out-edges
     * of {@code skip} (a node id, or -1) are ignored: with {@code skip = i} the graph behaves as G − i.
     * {@code parent} may be null.
     */
    void shortest(Graph g, int source, int skip, double[] dist, int[] parent) {
        Arrays.fill(dist, 0, n, Double.POSITIVE_INFINITY);
        if (parent != null) {
            Arrays.fill(parent, 0, n, -1);
        }
        Arrays.fill(pos, -1);
        size = 0;
        dist[source] = 0;
        push(source, 0);
        final int[][] adj = g.adj;
        final double[][] wt = g.wt;
        final int[] deg = g.deg;
        while (size > 0) {
            int u = pop();
            if (u == skip) {
                continue;
            }
            double du = dist[u];
            int[] a = adj[u];
            double[] w = wt[u];
            for (int e = 0, d = deg[u]; e < d; e++) {
                int v = a[e];
                double nd = du + w[e];
                if (nd < dist[v]) {
                    dist[v] = nd;
                    if (parent != null) {
                        parent[v] = u;
                    }
                    if (pos[v] >= 0) {
                        decrease(v, nd);
                    } else {
                        push(v, nd);
                    }
                }
            }
        }
    }

    /**
     * Widest (max-min) path values from {@code source} into {@code width}: +Infinity for the source, 0 when
     * unreachable. Out-edges of {@code skip} are ignored as in {@link #shortest}.
     */
    void widest(Graph g, int source, int skip, double[] width, int[] parent) {
        Arrays.fill(width, 0, n, 0.0);
        if (parent != null) {
            Arrays.fill(parent, 0, n, -1);
        }
        Arrays.fill(pos, -1);
        size = 0;
        width[source] = Double.POSITIVE_INFINITY;
        push(source, Double.NEGATIVE_INFINITY);
        final int[][] adj = g.adj;
        final double[][] wt = g.wt;
        final int[] deg = g.deg;
        while (size > 0) {
            int u = pop();
            if (u == skip) {
                continue;
            }
            double wu = width[u];
            int[] a = adj[u];
            double[] w = wt[u];
            for (int e = 0, d = deg[u]; e < d; e++) {
                int v = a[e];
                double nw = Math.min(wu, w[e]);
                if (nw > width[v]) {
                    width[v] = nw;
                    if (parent != null) {
                        parent[v] = u;
                    }
                    if (pos[v] >= 0) {
                        decrease(v, -nw);
                    } else {
                        push(v, -nw);
                    }
                }
            }
        }
    }

    // ---- indexed binary min-heap on key[] ----

    private void push(int v, double k) {
        int i = size++;
        heap[i] = v;
        pos[v] = i;
        key[v] = k;
        siftUp(i);
    }

    private void decrease(int v, double k) {
        key[v] = k;
        siftUp(pos[v]);
    }

    private int pop() {
        int top = heap[0];
        pos[top] = -2; // settled
        int last = heap[--size];
        if (size > 0) {
            heap[0] = last;
            pos[last] = 0;
            siftDown(0);
        }
        return top;
    }

    private void siftUp(int i) {
        int v = heap[i];
        double k = key[v];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            int pv = heap[p];
            if (key[pv] <= k) {
                break;
            }
            heap[i] = pv;
            pos[pv] = i;
            i = p;
        }
        heap[i] = v;
        pos[v] = i;
    }

    private void siftDown(int i) {
        int v = heap[i];
        double k = key[v];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int cv = heap[c];
            int r = c + 1;
            if (r < size && key[heap[r]] < key[cv]) {
                c = r;
                cv = heap[r];
            }
            if (k <= key[cv]) {
                break;
            }
            heap[i] = cv;
            pos[cv] = i;
            i = c;
        }
        heap[i] = v;
        pos[v] = i;
    }
}
