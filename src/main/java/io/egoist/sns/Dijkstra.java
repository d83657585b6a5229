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
    private final double[] hkey;
    private int size;

    Dijkstra(int n) {
        this.n = n;
        this.heap = new int[n];
        this.pos = new int[n];
        this.hkey = new double[n];
    }

    int size() {
        return n;
    }

    /** Starts a search: every value {@code init}, no parents, an empty heap. */
    private void reset(double[] values, double init, int[] parent) {
        Arrays.fill(values, 0, n, init);
        if (parent != null) {
            Arrays.fill(parent, 0, n, -1);
        }
        Arrays.fill(pos, -1);
        size = 0;
    }

    /**
     * Shortest-path costs from {@code source} into {@code dist} (+Infinity when unreachable). The out-edges
     * of {@code skip} (a node id, or -1) are ignored: with {@code skip = i} the graph behaves as G − i.
     * {@code parent} may be null.
     */
    void shortest(Graph g, int source, int skip, double[] dist, int[] parent) {
        reset(dist, Double.POSITIVE_INFINITY, parent);
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
        reset(width, 0.0, parent);
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

    // ---- indexed binary min-heap; hkey[i] is the key of heap[i] (kept beside the ids for locality) ----

    private void push(int v, double k) {
        int i = size++;
        siftUp(i, v, k);
    }

    private void decrease(int v, double k) {
        siftUp(pos[v], v, k);
    }

    private int pop() {
        int top = heap[0];
        pos[top] = -2; // settled
        int n1 = --size;
        if (n1 > 0) {
            siftDown(heap[n1], hkey[n1]);
        }
        return top;
    }

    private void siftUp(int i, int v, double k) {
        final int[] h = heap;
        final double[] hk = hkey;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            double pk = hk[p];
            if (pk <= k) {
                break;
            }
            int pv = h[p];
            h[i] = pv;
            hk[i] = pk;
            pos[pv] = i;
            i = p;
        }
        h[i] = v;
        hk[i] = k;
        pos[v] = i;
    }

    /** Places (v, k) at the root and sifts it down. */
    private void siftDown(int v, double k) {
        final int[] h = heap;
        final double[] hk = hkey;
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            double ck = hk[c];
            int r = c + 1;
            if (r < size && hk[r] < ck) {
                c = r;
                ck = hk[r];
            }
            if (k <= ck) {
                break;
            }
            int cv = h[c];
            h[i] = cv;
            hk[i] = ck;
            pos[cv] = i;
            i = c;
        }
        h[i] = v;
        hk[i] = k;
        pos[v] = i;
    }
}
