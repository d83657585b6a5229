package io.egoist.sns;

import java.util.Arrays;
import java.util.Random;

/**
 * sampling-br: best response over a sample of the candidates, for large n (m Dijkstras instead of n − 1).
 *
 * <p>The candidate set is the node's current neighbors that are still candidates (it already measures them,
 * so keeping them is always possible) plus m others: uniform (m drawn without replacement), or
 * topology-biased: draw m' = oversample·m (default 2m) uniformly, score each drawn j by
 * b_ij = |F(j)| / Σ_{u∈F(j)} d(i, u) (delay) or Σ_{u∈F(j)} b(i, u) / |F(j)| (bandwidth), where F(j) is j plus
 * every node within {@code radius} hops of j along out-links of the residual graph, restricted to nodes with a
 * finite direct measurement from i (and never i) — and keep the m best scores (ties: draw order). Then br
 * (exact or local search, as {@link BestResponsePolicy}) over that set; destinations are still all nodes.
 */
public final class SamplingBrPolicy implements WiringPolicy {
    private final int m;
    private final boolean biased;
    private final int radius;
    private final int oversample;
    private final long exactLimit;
    private final int rho;

    public SamplingBrPolicy(int m, boolean biased) {
        this(m, biased, 1, 2, BestResponsePolicy.DEFAULT_EXACT_BUDGET, BestResponsePolicy.RHO_AUTO);
    }

    public SamplingBrPolicy(int m, boolean biased, int radius, int oversample, long exactLimit, int rho) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be >= 1, got " + m);
        }
        if (radius < 1 || radius > 2) {
            throw new IllegalArgumentException("radius must be 1 or 2, got " + radius);
        }
        if (oversample < 1) {
            throw new IllegalArgumentException("oversample must be >= 1, got " + oversample);
        }
        this.m = m;
        this.biased = biased;
        this.radius = radius;
        this.oversample = oversample;
        this.exactLimit = exactLimit;
        this.rho = rho;
    }

    public int m() {
        return m;
    }

    public boolean biased() {
        return biased;
    }

    @Override
    public String name() {
        return "sampling-br";
    }

    /** The candidate set this policy would run BR over (ascending ids). */
    public int[] sample(WiringProblem problem, Random random) {
        int[] cands = ServiceTable.candidates(problem);
        int n = problem.size();
        boolean[] in = new boolean[n];
        int[] keep = new int[cands.length];
        int kc = 0;
        if (problem.current() != null) {
            for (int id : problem.current()) {
                if (ServiceTable.isCandidate(problem, id) && !in[id]) {
                    in[id] = true;
                    keep[kc++] = id;
                }
            }
        }
        int[] pool = new int[cands.length - kc];
        int pc = 0;
        for (int c : cands) {
            if (!in[c]) {
                pool[pc++] = c;
            }
        }
        int[] picked;
        if (!biased || pool.length <= m) {
            picked = Sampling.draw(pool, m, random);
        } else {
            int[] drawn = Sampling.draw(pool, (int) Math.min((long) m * oversample, pool.length), random);
            double[] score = new double[drawn.length];
            int[] stamp = new int[n];
            for (int i = 0; i < drawn.length; i++) {
                score[i] = score(problem, drawn[i], stamp, i + 1);
            }
            Integer[] order = new Integer[drawn.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> {
                int c = Double.compare(score[b], score[a]);
                return c != 0 ? c : Integer.compare(a, b);
            });
            picked = new int[m];
            for (int i = 0; i < m; i++) {
                picked[i] = drawn[order[i]];
            }
        }
        int[] out = Arrays.copyOf(keep, kc + picked.length);
        System.arraycopy(picked, 0, out, kc, picked.length);
        Arrays.sort(out);
        return out;
    }

    /** b_ij over F(j) (j's radius-r out-neighbourhood in the residual graph, measured nodes only). */
    private double score(WiringProblem p, int j, int[] stamp, int mark) {
        Graph g = p.residual();
        int self = p.self();
        double[] direct = p.direct();
        double sum = 0;
        int size = 0;
        // visit j, its out-neighbors, and (radius 2) theirs
        int[] frontier = {j};
        stamp[j] = mark;
        sum += direct[j];
        size++;
        for (int hop = 1; hop <= radius; hop++) {
            int[] next = new int[0];
            int nc = 0;
            for (int u : frontier) {
                if (u == self) {
                    continue;
                }
                int[] a = g.adj[u];
                for (int e = 0, d = g.deg[u]; e < d; e++) {
                    int v = a[e];
                    if (stamp[v] == mark || v == self) {
                        continue;
                    }
                    stamp[v] = mark;
                    if (hop < radius) {
                        if (nc == next.length) {
                            next = Arrays.copyOf(next, Math.max(8, nc * 2));
                        }
                        next[nc++] = v;
                    }
                    double dv = direct[v];
                    if (!Double.isNaN(dv) && !Double.isInfinite(dv)) {
                        sum += dv;
                        size++;
                    }
                }
            }
            frontier = Arrays.copyOf(next, nc);
        }
        if (p.metric() == Metric.BANDWIDTH) {
            return sum / size;
        }
        return sum > 0 ? size / sum : Double.POSITIVE_INFINITY;
    }

    @Override
    public int[] choose(WiringProblem problem, Random random) {
        int[] set = sample(problem, random);
        int k = ServiceTable.degree(problem, set.length);
        if (k == 0) {
            return new int[0];
        }
        if (k == set.length) {
            return set;
        }
        ServiceTable t = ServiceTable.build(problem, set);
        int[] cur = BestResponse.currentRows(t, problem.current(), k, null);
        BestResponse.Result r = BestResponse.solve(t, new int[0], k, cur, exactLimit, rho);
        return BestResponse.idsSorted(t, r.rows());
    }

    @Override
    public String toString() {
        return "sampling-br(m=" + m + (biased ? ", biased r=" + radius : ", uniform") + ")";
    }
}
