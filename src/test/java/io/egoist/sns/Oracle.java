package io.egoist.sns;

/** Independent reference computations for tests: build G − i + S and search from i. */
final class Oracle {
    private Oracle() {}

    /** C_i(S) by a search from self over residual + S (uniform over candidates, penalty for unreachable). */
    static double cost(WiringProblem p, int[] wiring) {
        Graph g = p.residual().copy();
        g.clearOutEdges(p.self());
        for (int w : wiring) {
            g.setEdge(p.self(), w, p.direct()[w]);
        }
        boolean bw = p.metric() == Metric.BANDWIDTH;
        double[] v = bw ? ShortestPaths.widths(g, p.self()) : ShortestPaths.distances(g, p.self());
        double sum = 0;
        int count = 0;
        for (int j = 0; j < p.size(); j++) {
            if (j == p.self() || !Double.isFinite(p.direct()[j])) {
                continue;
            }
            count++;
            sum += bw ? v[j] : Math.min(v[j], Costs.UNREACHABLE_PENALTY);
        }
        return count == 0 ? 0 : sum / count;
    }

    /** The best cost over every k-subset of the candidates (brute force), as {value, mask...}. */
    static double bruteForceBest(WiringProblem p) {
        int[] c = ServiceTable.candidates(p);
        int k = Math.min(p.k(), c.length);
        boolean bw = p.metric() == Metric.BANDWIDTH;
        double[] best = {bw ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY};
        subsets(c, k, 0, new int[k], 0, s -> {
            double v = cost(p, s);
            if (bw ? v > best[0] : v < best[0]) {
                best[0] = v;
            }
        });
        return best[0];
    }

    interface SubsetVisitor {
        void visit(int[] subset);
    }

    static void subsets(int[] pool, int k, int start, int[] buf, int depth, SubsetVisitor v) {
        if (depth == k) {
            v.visit(buf.clone());
            return;
        }
        for (int i = start; i <= pool.length - (k - depth); i++) {
            buf[depth] = pool[i];
            subsets(pool, k, i + 1, buf, depth + 1, v);
        }
    }
}
