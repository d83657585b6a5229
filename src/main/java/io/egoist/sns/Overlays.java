package io.egoist.sns;

import java.util.Arrays;

/**
 * Whole-overlay questions: build the overlay from every node's chosen neighbors, check strong connectivity,
 * force a cycle for disconnected heuristic overlays, and the efficiency metric.
 *
 * <p>Conventions: {@code wiring[i]} is node i's out-neighbors ({@code null} or empty for a dead node);
 * {@code direct[i][j]} is the cost (or bandwidth) of the link i → j as i measures it; {@code alive == null}
 * means every node is alive.
 */
public final class Overlays {
    private Overlays() {}

    /** The overlay: edge i → j with weight direct[i][j] for every j in wiring[i] (alive nodes only). */
    public static Graph build(int[][] wiring, double[][] direct, boolean[] alive) {
        int n = wiring.length;
        Graph g = new Graph(n);
        for (int i = 0; i < n; i++) {
            if (wiring[i] == null || (alive != null && !alive[i])) {
                continue;
            }
            for (int j : wiring[i]) {
                double w = direct[i][j];
                if (Double.isNaN(w) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("link " + i + "->" + j + " has no finite direct cost");
                }
                g.setEdge(i, j, w);
            }
        }
        return g;
    }

    public static Graph build(int[][] wiring, double[][] direct) {
        return build(wiring, direct, null);
    }

    /** True when every alive node reaches every other alive node (vacuously true for ≤ 1 alive node). */
    public static boolean stronglyConnected(Graph g, boolean[] alive) {
        int n = g.size();
        int root = -1;
        int live = 0;
        for (int i = 0; i < n; i++) {
            if (alive == null || alive[i]) {
                live++;
                if (root < 0) {
                    root = i;
                }
            }
        }
        if (live <= 1) {
            return true;
        }
        return reachAll(g, root, alive, live) && reachAll(g.reversed(), root, alive, live);
    }

    public static boolean stronglyConnected(Graph g) {
        return stronglyConnected(g, null);
    }

    private static boolean reachAll(Graph g, int root, boolean[] alive, int live) {
        int n = g.size();
        boolean[] seen = new boolean[n];
        int[] stack = new int[n];
        int sp = 0;
        stack[sp++] = root;
        seen[root] = true;
        int count = 1;
        while (sp > 0) {
            int u = stack[--sp];
            int[] a = g.adj[u];
            for (int e = 0, d = g.deg[u]; e < d; e++) {
                int v = a[e];
                if (!seen[v] && (alive == null || alive[v])) {
                    seen[v] = true;
                    count++;
                    stack[sp++] = v;
                }
            }
        }
        return count == live;
    }

    /**
     * The papers' fix for disconnected k-Random / k-Closest overlays. If the overlay built from {@code wiring}
     * is strongly connected (over alive nodes), returns a copy unchanged. Otherwise every alive node i links to
     * its cycle successor s(i) = the next alive id after i (cyclically) with a finite direct[i][s] (ties: the
     * next such id): if s(i) is already a neighbor nothing changes, else the link to s(i) <em>replaces</em> i's
     * worst link (highest direct delay / lowest direct bandwidth; ties to the higher id), so every node keeps
     * exactly its degree; a node with no links gets s(i) added. The result is strongly connected (the cycle
     * alone is).
     */
    public static int[][] forceCycle(int[][] wiring, double[][] direct, boolean[] alive, Metric metric) {
        int n = wiring.length;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = wiring[i] == null ? null : wiring[i].clone();
        }
        if (stronglyConnected(build(wiring, direct, alive), alive)) {
            return out;
        }
        boolean bandwidth = metric == Metric.BANDWIDTH;
        for (int i = 0; i < n; i++) {
            if (alive != null && !alive[i]) {
                continue;
            }
            int s = successor(i, direct, alive);
            if (s < 0) {
                continue;
            }
            int[] links = out[i] == null ? new int[0] : out[i];
            boolean has = false;
            for (int j : links) {
                has |= j == s;
            }
            if (has) {
                continue;
            }
            if (links.length == 0) {
                out[i] = new int[] {s};
                continue;
            }
            int worst = 0;
            for (int e = 1; e < links.length; e++) {
                double a = direct[i][links[e]];
                double b = direct[i][links[worst]];
                boolean worse = bandwidth ? a < b : a > b;
                if (worse || (a == b && links[e] > links[worst])) {
                    worst = e;
                }
            }
            links[worst] = s;
            out[i] = links;
        }
        return out;
    }

    public static int[][] forceCycle(int[][] wiring, double[][] direct) {
        return forceCycle(wiring, direct, null, Metric.DELAY);
    }

    private static int successor(int i, double[][] direct, boolean[] alive) {
        int n = direct.length;
        for (int step = 1; step < n; step++) {
            int s = (i + step) % n;
            if ((alive == null || alive[s]) && Double.isFinite(direct[i][s])) {
                return s;
            }
        }
        return -1;
    }

    /**
     * Efficiency: the mean over ordered pairs (i, j), i ≠ j, both alive, of 1/d(i, j), 0 when unreachable
     * (Latora–Marchiori). Distances below 1e-6 count as 1e-6 so a zero-delay pair stays finite.
     */
    public static double efficiency(Graph g, boolean[] alive) {
        int n = g.size();
        int live = 0;
        for (int i = 0; i < n; i++) {
            if (alive == null || alive[i]) {
                live++;
            }
        }
        if (live <= 1) {
            return 0;
        }
        double[] dist = new double[n];
        Dijkstra dj = new Dijkstra(n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (alive != null && !alive[i]) {
                continue;
            }
            dj.shortest(g, i, -1, dist, null);
            for (int j = 0; j < n; j++) {
                if (j == i || (alive != null && !alive[j])) {
                    continue;
                }
                double d = dist[j];
                if (d < Double.POSITIVE_INFINITY) {
                    sum += 1.0 / Math.max(d, 1e-6);
                }
            }
        }
        return sum / ((double) live * (live - 1));
    }

    public static double efficiency(Graph g) {
        return efficiency(g, null);
    }

    /** Every node's out-neighbors in {@code g}, ascending (the wiring view of an overlay). */
    public static int[][] wiringOf(Graph g) {
        int[][] w = new int[g.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = g.outNeighbors(i);
            Arrays.sort(w[i]);
        }
        return w;
    }
}
