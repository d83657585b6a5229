package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic RTT matrices (ms), seeded and deterministic. Both models are symmetric, define an RTT for every
 * pair (every node can measure every other) and violate the triangle inequality for some triples, as the
 * Internet does.
 *
 * <ul>
 *   <li>{@code geo}: nodes uniform in a 1000×1000 plane; RTT(i, j) = a_i + a_j + 0.1 ms × distance × e^Z with
 *   Z ~ N(0, 0.35²) drawn per pair (route inflation/deflation) and access delays a_i ~ U(0.5, 5) ms. The
 *   per-pair noise is what breaks the triangle inequality.</li>
 *   <li>{@code waxman}: a BRITE-like router graph: nodes uniform in the plane, added one at a time, each
 *   linking to m = 2 earlier nodes chosen with the Waxman probability α·e^(−d/(βL)) (α = 0.15, β = 0.2,
 *   L = the plane's diagonal), so the graph is connected. Link delay = 0.1 ms × distance. Routes follow
 *   the fewest hops (as inter-domain routing does, not the lowest delay; ties broken by delay), and
 *   RTT(i, j) = a_i + a_j + 2 × (one-way delay of that route). Because routes are not delay-shortest, a
 *   detour through a third node is sometimes faster.</li>
 * </ul>
 */
public final class TopologyGenerator {
    private TopologyGenerator() {}

    public static final double SIDE = 1000.0;
    public static final double MS_PER_UNIT = 0.1;
    public static final int MAX_NODES = 5000;

    public static LatencyMatrix generate(String model, int nodes, long seed) {
        if (nodes < 2 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be between 2 and " + MAX_NODES + ", got " + nodes);
        }
        switch (model) {
            case "geo":
                return geo(nodes, seed);
            case "waxman":
                return waxman(nodes, seed);
            default:
                throw new IllegalArgumentException("unknown generator \"" + model + "\"; expected geo or waxman");
        }
    }

    public static LatencyMatrix geo(int n, long seed) {
        Random r = new Random(seed);
        Sites sites = Sites.place(r, n);
        double[] x = sites.x();
        double[] y = sites.y();
        double[] access = sites.access();
        double[][] rtt = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dist = Math.hypot(x[i] - x[j], y[i] - y[j]);
                double v = access[i] + access[j] + MS_PER_UNIT * dist * Math.exp(0.35 * r.nextGaussian());
                rtt[i][j] = round3(v);
                rtt[j][i] = rtt[i][j];
            }
        }
        return LatencyMatrix.of("geo", names(n), rtt);
    }

    public static LatencyMatrix waxman(int n, long seed) {
        Random r = new Random(seed);
        Sites sites = Sites.place(r, n);
        double[] x = sites.x();
        double[] y = sites.y();
        double[] access = sites.access();
        final double alpha = 0.15;
        final double beta = 0.2;
        final int m = 2;
        final double diagonal = SIDE * Math.sqrt(2);
        List<int[]> edges = new ArrayList<>();
        for (int v = 1; v < n; v++) {
            int want = Math.min(m, v);
            double[] weight = new double[v];
            for (int u = 0; u < v; u++) {
                weight[u] = alpha * Math.exp(-Math.hypot(x[u] - x[v], y[u] - y[v]) / (beta * diagonal));
            }
            for (int c = 0; c < want; c++) {
                double total = 0;
                for (double w : weight) {
                    total += w;
                }
                double pick = r.nextDouble() * total;
                int u = 0;
                while (u < v - 1 && (pick -= weight[u]) >= 0) {
                    u++;
                }
                while (weight[u] == 0) { // rounding landed on an already chosen node: take the next free one
                    u = (u + 1) % v;
                }
                edges.add(new int[] {u, v});
                weight[u] = 0;
            }
        }
        double[][] linkDelay = new double[n][n];
        double sum = 0;
        for (int[] e : edges) {
            double d = MS_PER_UNIT * Math.hypot(x[e[0]] - x[e[1]], y[e[0]] - y[e[1]]);
            linkDelay[e[0]][e[1]] = d;
            linkDelay[e[1]][e[0]] = d;
            sum += d;
        }
        // Fewest hops, ties by delay: weight 1 + delay/(1 + total delay) keeps any path's delay part below one hop.
        Graph g = new Graph(n);
        for (int[] e : edges) {
            double w = 1 + linkDelay[e[0]][e[1]] / (1 + sum);
            g.setEdge(e[0], e[1], w);
            g.setEdge(e[1], e[0], w);
        }
        double[][] rtt = new double[n][n];
        for (int s = 0; s < n; s++) {
            int[] parent = ShortestPaths.tree(g, s).parent();
            double[] oneWay = new double[n];
            boolean[] done = new boolean[n];
            done[s] = true;
            for (int t = 0; t < n; t++) {
                routeDelay(t, parent, linkDelay, oneWay, done);
            }
            for (int t = 0; t < n; t++) {
                if (t != s) {
                    rtt[s][t] = round3(access[s] + access[t] + 2 * oneWay[t]);
                }
            }
        }
        // Fewest-hop routes with delay tie-breaks can differ by direction; keep the matrix symmetric.
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v = Math.min(rtt[i][j], rtt[j][i]);
                rtt[i][j] = v;
                rtt[j][i] = v;
            }
        }
        return LatencyMatrix.of("waxman", names(n), rtt);
    }

    private static double routeDelay(int t, int[] parent, double[][] linkDelay, double[] oneWay, boolean[] done) {
        // Iterative walk up the shortest-path tree (no recursion: routes can be long on big graphs).
        int u = t;
        List<Integer> chain = new ArrayList<>();
        while (!done[u]) {
            chain.add(u);
            u = parent[u];
            if (u < 0) {
                throw new IllegalStateException("waxman graph is not connected");
            }
        }
        for (int c = chain.size() - 1; c >= 0; c--) {
            int v = chain.get(c);
            oneWay[v] = oneWay[parent[v]] + linkDelay[parent[v]][v];
            done[v] = true;
        }
        return oneWay[t];
    }

    /** Nodes placed uniformly on the SIDE x SIDE plane, each with an access delay of 0.5..5 ms. */
    private record Sites(double[] x, double[] y, double[] access) {
        static Sites place(Random r, int n) {
            Sites s = new Sites(new double[n], new double[n], new double[n]);
            for (int i = 0; i < n; i++) {
                s.x[i] = r.nextDouble() * SIDE;
                s.y[i] = r.nextDouble() * SIDE;
                s.access[i] = 0.5 + 4.5 * r.nextDouble();
            }
            return s;
        }
    }

    private static double round3(double v) {
        return Math.max(0.001, Math.round(v * 1000.0) / 1000.0);
    }

    private static List<String> names(int n) {
        List<String> out = new ArrayList<>(n);
        int width = String.valueOf(n - 1).length();
        for (int i = 0; i < n; i++) {
            out.add(String.format(Locale.ROOT, "n%0" + width + "d", i));
        }
        return out;
    }
}
