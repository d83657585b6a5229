package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BestResponseTest {

    private static double tol(double v) {
        return 1e-9 * Math.max(1, Math.abs(v));
    }

    @Test
    void exactBrEqualsBruteForceOverEverySubset() {
        Random r = new Random(11);
        for (int trial = 0; trial < 150; trial++) {
            WiringProblem p = Instances.delayProblem(4 + r.nextInt(10), 1 + r.nextInt(4), r);
            BestResponsePolicy.Choice c = Policies.br().solve(p);
            assertThat(c.exact()).isTrue();
            double brute = Oracle.bruteForceBest(p);
            assertThat(Oracle.cost(p, c.neighbors())).isCloseTo(brute, within(tol(brute)));
            assertThat(c.cost()).isCloseTo(brute, within(tol(brute)));
        }
    }

    @Test
    void exactBandwidthBrEqualsBruteForceMaximum() {
        Random r = new Random(12);
        for (int trial = 0; trial < 100; trial++) {
            WiringProblem p = bandwidth(Instances.delayProblem(4 + r.nextInt(10), 1 + r.nextInt(3), r));
            BestResponsePolicy.Choice c = Policies.br().solve(p);
            double brute = Oracle.bruteForceBest(p);
            assertThat(Oracle.cost(p, c.neighbors())).isCloseTo(brute, within(tol(brute)));
        }
    }

    @Test
    void localSearchResultHasNoImprovingSingleSwap() {
        Random r = new Random(13);
        for (int trial = 0; trial < 60; trial++) {
            WiringProblem p = Instances.delayProblem(10 + r.nextInt(30), 2 + r.nextInt(5), r);
            BestResponsePolicy.Choice c = Policies.br(0, 1).solve(p);
            assertThat(c.exact()).isFalse();
            assertNoImprovingSwap(p, c.neighbors(), false);
        }
    }

    @Test
    void bandwidthLocalSearchResultHasNoImprovingSingleSwap() {
        Random r = new Random(14);
        for (int trial = 0; trial < 40; trial++) {
            WiringProblem p = bandwidth(Instances.delayProblem(10 + r.nextInt(20), 2 + r.nextInt(4), r));
            int[] s = Policies.br(0, 1).choose(p, r);
            assertNoImprovingSwap(p, s, true);
        }
    }

    private static void assertNoImprovingSwap(WiringProblem p, int[] s, boolean maximise) {
        double base = Oracle.cost(p, s);
        for (int u = 0; u < s.length; u++) {
            for (int w : ServiceTable.candidates(p)) {
                if (contains(s, w)) {
                    continue;
                }
                int[] t = s.clone();
                t[u] = w;
                double v = Oracle.cost(p, t);
                if (maximise) {
                    assertThat(v).as("swap %d->%d", s[u], w).isLessThanOrEqualTo(base + tol(base));
                } else {
                    assertThat(v).as("swap %d->%d", s[u], w).isGreaterThanOrEqualTo(base - tol(base));
                }
            }
        }
    }

    /**
     * The papers report local search within 5% of optimal. 200 random instances (n = 12..16, k = 2..4, geometric
     * delays, every other node with 2 random links plus a bidirectional ring so no destination is unreachable and
     * the costs are real delays): ratio of the forced local-search BR's cost to exact BR's.
     */
    @Test
    void localSearchIsWithinFivePercentOfExactOnSmallInstances() {
        Random r = new Random(2024);
        int instances = 200;
        double[] ratio = new double[instances];
        double[] ratio2 = new double[instances];
        int optimal = 0;
        for (int i = 0; i < instances; i++) {
            int n = 12 + r.nextInt(5);
            int k = 2 + r.nextInt(3);
            double[][] d = Instances.geometricDelays(n, r);
            int self = r.nextInt(n);
            Graph g = Instances.connectedResidual(d, 2, self, r);
            WiringProblem p = WiringProblem.delay(self, k, d[self].clone(), g, new int[0]);
            double exact = Policies.br().solve(p).cost();
            double local = Policies.br(0, 1).solve(p).cost();
            ratio[i] = local / exact;
            ratio2[i] = Policies.br(0, 2).solve(p).cost() / exact;
            assertThat(ratio2[i]).isGreaterThanOrEqualTo(1 - 1e-9);
            if (ratio[i] <= 1 + 1e-9) {
                optimal++;
            }
            assertThat(ratio[i]).isGreaterThanOrEqualTo(1 - 1e-9);
            assertThat(exact).isLessThan(1e6); // real delays, no penalty
        }
        double[] sorted = ratio.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(ratio).average().orElseThrow();
        double p95 = sorted[(int) Math.ceil(0.95 * instances) - 1];
        double max = sorted[instances - 1];
        System.out.printf(
                "local-search/exact BR over %d instances: mean=%.5f p95=%.5f max=%.5f optimal=%d/%d%n",
                instances, mean, p95, max, optimal, instances);
        double[] sorted2 = ratio2.clone();
        Arrays.sort(sorted2);
        System.out.printf(
                "local-search(rho=2)/exact BR: mean=%.5f p95=%.5f max=%.5f%n",
                Arrays.stream(ratio2).average().orElseThrow(),
                sorted2[(int) Math.ceil(0.95 * instances) - 1],
                sorted2[instances - 1]);
        assertThat(max).isLessThanOrEqualTo(1.05);
    }

    @Test
    void twoSwapsNeverEndWorseThanSingleSwaps() {
        Random r = new Random(15);
        for (int trial = 0; trial < 40; trial++) {
            WiringProblem p = Instances.delayProblem(12 + r.nextInt(8), 2 + r.nextInt(3), r);
            double one = Policies.br(0, 1).solve(p).cost();
            double two = Policies.br(0, 2).solve(p).cost();
            assertThat(two).isLessThanOrEqualTo(one + tol(one));
        }
    }

    @Test
    void brKeepsTheCurrentWiringWhenItIsAlreadyOptimal() {
        Random r = new Random(16);
        for (int trial = 0; trial < 30; trial++) {
            WiringProblem p = Instances.delayProblem(8 + r.nextInt(20), 2 + r.nextInt(3), r);
            int[] best = Policies.br().choose(p, r);
            int[] shuffled = reversed(best);
            WiringProblem again = WiringProblem.delay(p.self(), p.k(), p.direct(), p.residual(), shuffled);
            assertThat(Policies.br().choose(again, r)).containsExactlyInAnyOrder(best);
            assertThat(Policies.br(0, 1).solve(again).cost())
                    .isLessThanOrEqualTo(Policies.br().solve(p).cost()
                            + tol(Policies.br().solve(p).cost()));
        }
    }

    @Test
    void localSearchFromTheCurrentWiringIsNeverWorseThanTheCurrentWiring() {
        Random r = new Random(17);
        for (int trial = 0; trial < 30; trial++) {
            WiringProblem p0 = Instances.delayProblem(30 + r.nextInt(30), 3 + r.nextInt(4), r);
            int[] cur = Sampling.draw(ServiceTable.candidates(p0), p0.k(), r);
            WiringProblem p = WiringProblem.delay(p0.self(), p0.k(), p0.direct(), p0.residual(), cur);
            BestResponsePolicy.Choice c = Policies.br(0, 1).solve(p);
            assertThat(c.currentCost()).isCloseTo(Oracle.cost(p, cur), within(tol(c.currentCost())));
            assertThat(c.cost()).isLessThanOrEqualTo(c.currentCost());
        }
    }

    @Test
    void unreachableDestinationsArePenalisedSoBrReachesWhatItCan() {
        // 1 -> 2 -> 3 chain; self 0 can link to 1 (cheap, reaches all) or 4 (cheaper, reaches only 4)
        Graph g = new Graph(5);
        g.setEdge(1, 2, 1);
        g.setEdge(2, 3, 1);
        double[] direct = {0, 10, 50, 50, 1};
        WiringProblem p = WiringProblem.delay(0, 1, direct, g, new int[0]);
        assertThat(Policies.br().choose(p, new Random(0))).containsExactly(1);
    }

    @Test
    void fewerCandidatesThanKTakesThemAll() {
        double[] direct = {0, 1, Double.NaN, 2};
        WiringProblem p = WiringProblem.delay(0, 5, direct, new Graph(4), new int[0]);
        assertThat(Policies.br().choose(p, new Random(0))).containsExactly(1, 3);
    }

    static WiringProblem bandwidth(WiringProblem d) {
        return new WiringProblem(d.self(), d.k(), d.direct(), d.residual(), d.current(), Metric.BANDWIDTH, null);
    }

    static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    static int[] reversed(int[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[a.length - 1 - i];
        }
        return b;
    }
}
