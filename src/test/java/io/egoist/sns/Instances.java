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

    /**
     * Like {@link #randomResidual} plus a bidirectional ring (u → u±1): even without self's links every node
     * reaches every other (along the arc of the ring that avoids self), so no destination is ever unreachable
     * and costs are real delays, not penalties.
     */
    static Graph connectedResidual(double[][] d, int k, int self, Random r) {
        Graph g = randomResidual(d, k, self, r);
        int n = d.length;
        for (int u = 0; u < n; u++) {
            if (u != self && n > 1) {
                g.setEdge(u, (u + 1) % n, d[u][(u + 1) % n]);
                if (n > 2) {
                    g.setEdge(u, (u + n - 1) % n, d[u][(u + n - 1) % n]);
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

    /** The shipped RIPE country RTT matrix (94 × 94, ms). */
    static double[][] ripe() {
        try (java.io.BufferedReader br = new java.io.BufferedReader(new java.io.InputStreamReader(
                Instances.class.getResourceAsStream("/data/ripe-country-rtt.csv"),
                java.nio.charset.StandardCharsets.UTF_8))) {
            return br.lines()
                    .skip(1)
                    .map(line -> java.util.Arrays.stream(line.split(","))
                            .skip(1)
                            .mapToDouble(Double::parseDouble)
                            .toArray())
                    .toArray(double[][]::new);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
