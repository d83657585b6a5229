package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The default br on the RIPE matrix (n = 94) against a plain enumeration of every k-subset over the same service
 * table: the branch and bound must prove and return the optimum for every node at k = 3 (C(93, 3) = 129,766 sets
 * per node), where the earlier enumeration limit of 100,000 sets fell back to local search.
 */
class ExactBestResponseTest {

    @Test
    void defaultBrIsProvedOptimalForEveryRipeNodeAtKThree() {
        double[][] d = Instances.ripe();
        int n = d.length;
        Random r = new Random(3);
        for (int self = 0; self < n; self++) {
            Graph g = Instances.connectedResidual(d, 3, self, r);
            WiringProblem p = WiringProblem.delay(self, 3, d[self].clone(), g, new int[0]);
            BestResponsePolicy.Choice c = Policies.br().solve(p);
            assertThat(c.exact()).as("node %d proved optimal", self).isTrue();
            ServiceTable t = ServiceTable.build(p, ServiceTable.candidates(p));
            double best = enumerateAll(t, 3);
            assertThat(c.cost()).as("node %d", self).isCloseTo(best, within(1e-9 * best));
            assertThat(Oracle.cost(p, c.neighbors())).isCloseTo(best, within(1e-9 * best));
        }
    }

    @Test
    void branchAndBoundEqualsEnumerationOnRandomTablesWithAnyIncumbent() {
        Random r = new Random(5);
        for (int trial = 0; trial < 60; trial++) {
            WiringProblem p = Instances.delayProblem(8 + r.nextInt(14), 1 + r.nextInt(5), r);
            ServiceTable t = ServiceTable.build(p, ServiceTable.candidates(p));
            int k = Math.min(p.k(), t.rows());
            KMedian km = new KMedian(t, new int[0]);
            int[] incumbent = trial % 2 == 0 ? null : km.greedy(k);
            KMedian.Exact e = km.branchAndBound(k, incumbent, Long.MAX_VALUE);
            assertThat(e.proved()).isTrue();
            double best = enumerateAll(t, k);
            assertThat(km.objective(e.rows())).isCloseTo(best, within(1e-9 * Math.abs(best)));
        }
    }

    @Test
    void anExhaustedBudgetIsReportedAndNeverWorseThanTheIncumbent() {
        double[][] d = Instances.ripe();
        Random r = new Random(8);
        Graph g = Instances.connectedResidual(d, 3, 0, r);
        WiringProblem p = WiringProblem.delay(0, 6, d[0].clone(), g, new int[0]);
        ServiceTable t = ServiceTable.build(p, ServiceTable.candidates(p));
        KMedian km = new KMedian(t, new int[0]);
        int[] greedy = km.greedy(6);
        KMedian.Exact e = km.branchAndBound(6, greedy, 50_000);
        assertThat(e.proved()).isFalse();
        assertThat(km.objective(e.rows())).isLessThanOrEqualTo(km.objective(greedy));
        assertThat(Policies.br(50_000, BestResponsePolicy.RHO_AUTO).solve(p).exact())
                .isFalse();
    }

    /** min over every k-subset of the table's rows of the objective, by plain recursion with prefix minima. */
    static double enumerateAll(ServiceTable t, int k) {
        int nd = t.cols();
        double[][] level = new double[k + 1][nd];
        level[0] = t.empty.clone();
        double[] best = {Double.POSITIVE_INFINITY};
        enumerate(t, k, 0, 0, level, best);
        return best[0];
    }

    private static void enumerate(ServiceTable t, int k, int depth, int start, double[][] level, double[] best) {
        int nd = t.cols();
        if (depth == k) {
            double sum = 0;
            for (double v : level[depth]) {
                sum += v;
            }
            best[0] = Math.min(best[0], sum);
            return;
        }
        for (int row = start; row <= t.rows() - (k - depth); row++) {
            for (int c = 0; c < nd; c++) {
                level[depth + 1][c] = Math.min(level[depth][c], t.loss[row * nd + c]);
            }
            enumerate(t, k, depth + 1, row + 1, level, best);
        }
    }
}
