package io.egoist.sns;

import java.util.Random;

/** Random test instances: delay matrices, random overlays, best-response problems. */
final class Instances {
    private Instances() {}

    /** Random geometric delays in a 100×100 square plus noise (asymmetric, some triangle violations). */
    static double[][] geometricDelays(int n, Random r) {
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() * 100;
            y[i] = r.nextDouble() * 100;
        }
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    d[i][j] = 1 + Math.hypot(x[i] - x[j], y[i] - y[j]) * (0.8 + 0.6 * r.nextDouble());
                }
            }
        }
        return d;
    }

    /** Overlay where every node except {@code self} has {@code k} random out-links weighted by {@code d}. */
    static Graph randomResidual(double[][] d, int k, int self, Random r) {
        int n = d.length;
        Graph g = new Graph(n);
        for (int u = 0; u < n; u++) {
            if (u == self) {
                continue;
            }
            int added = 0;
            while (added < Math.min(k, n - 1)) {
                int v = r.nextInt(n);
                if (v != u && !g.hasEdge(u, v)) {
                    g.setEdge(u, v, d[u][v]);
                    added++;
                }
            }
        }
        return g;
    }

    static WiringProblem delayProblem(int n, int k, Random r) {
        double[][] d = geometricDelays(n, r);
        int self = r.nextInt(n);
        Graph g = randomResidual(d, k, self, r);
        return WiringProblem.delay(self, k, d[self].clone(), g, new int[0]);
    }

    /** Random directed graph with ~p·n² edges and weights in [0, 100). */
    static Graph randomGraph(int n, double p, Random r) {
        Graph g = new Graph(n);
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                if (u != v && r.nextDouble() < p) {
                    g.setEdge(u, v, Math.floor(r.nextDouble() * 100));
                }
            }
        }
        return g;
    }
}
