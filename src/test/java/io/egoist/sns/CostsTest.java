package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CostsTest {

    @Test
    void costEqualsSearchingTheResidualPlusTheWiring() {
        Random r = new Random(1);
        for (int trial = 0; trial < 100; trial++) {
            WiringProblem p = Instances.delayProblem(5 + r.nextInt(20), 1 + r.nextInt(4), r);
            int[] s = Sampling.draw(ServiceTable.candidates(p), p.k(), r);
            double expected = Oracle.cost(p, s);
            assertThat(Costs.cost(p, s)).isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
        }
    }

    @Test
    void bandwidthValueEqualsWidestPathsFromSelf() {
        Random r = new Random(2);
        for (int trial = 0; trial < 100; trial++) {
            WiringProblem d = Instances.delayProblem(5 + r.nextInt(20), 1 + r.nextInt(4), r);
            WiringProblem p =
                    new WiringProblem(d.self(), d.k(), d.direct(), d.residual(), d.current(), Metric.BANDWIDTH, null);
            int[] s = Sampling.draw(ServiceTable.candidates(p), p.k(), r);
            double expected = Oracle.cost(p, s);
            assertThat(Costs.cost(p, s)).isCloseTo(expected, within(1e-12 * Math.max(1, Math.abs(expected))));
        }
    }

    @Test
    void ignoresSelfsOwnOutEdgesLeftInTheResidual() {
        Graph g = new Graph(3);
        g.setEdge(0, 2, 1); // self's old link must not count
        g.setEdge(1, 0, 1);
        double[] direct = {0, 5, 50};
        WiringProblem p = WiringProblem.delay(0, 1, direct, g, new int[0]);
        // via 1: d(0,1) = 5; 2 only reachable as 1 -> 0 -> 2, which uses self's edge: unreachable
        assertThat(Costs.cost(p, new int[] {1})).isEqualTo((5 + Costs.UNREACHABLE_PENALTY) / 2);
        assertThat(Costs.cost(p, new int[] {1, 2})).isEqualTo((5 + 50) / 2.0);
    }

    @Test
    void uniformCostIsTheMeanOverMeasuredNodesAndDeadNodesDoNotCount() {
        Graph g = new Graph(4);
        g.setEdge(1, 2, 10);
        double[] direct = {0, 3, 100, Double.NaN};
        WiringProblem p = WiringProblem.delay(0, 1, direct, g, new int[0]);
        assertThat(Costs.cost(p, new int[] {1})).isEqualTo((3 + 13) / 2.0);
    }

    @Test
    void linksToDeadNodesCarryNothing() {
        Graph g = new Graph(3);
        g.setEdge(1, 2, 10);
        double[] direct = {0, 3, Double.NaN};
        WiringProblem p = WiringProblem.delay(0, 2, direct, g, new int[0]);
        assertThat(Costs.cost(p, new int[] {2, 1, 1}))
                .isEqualTo(Costs.cost(p, new int[] {1}))
                .isEqualTo(3);
        assertThat(Costs.cost(p, new int[] {2})).isEqualTo(Costs.UNREACHABLE_PENALTY);
    }

    @Test
    void explicitPreferencesWeightDestinations() {
        Graph g = new Graph(3);
        g.setEdge(1, 2, 10);
        double[] direct = {0, 3, 100};
        WiringProblem p = new WiringProblem(0, 1, direct, g, new int[0], Metric.DELAY, new double[] {0, 0.25, 2});
        assertThat(Costs.cost(p, new int[] {1})).isEqualTo(0.25 * 3 + 2 * 13);
    }

    @Test
    void nodeCostsAreMeanDistancesWithPenaltyForUnreachable() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 2);
        g.setEdge(1, 2, 3);
        g.setEdge(2, 0, 4);
        assertThat(Costs.nodeCosts(g)).containsExactly((2 + 5) / 2.0, (3 + 7) / 2.0, (4 + 6) / 2.0);
        g.removeEdge(2, 0);
        double[] c = Costs.nodeCosts(g);
        assertThat(c[2]).isEqualTo(Costs.UNREACHABLE_PENALTY);
        assertThat(c[0]).isEqualTo(3.5);
    }

    @Test
    void nodeCostsSkipDeadNodes() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 2);
        g.setEdge(1, 0, 3);
        double[] c = Costs.nodeCosts(g, Metric.DELAY, new boolean[] {true, true, false});
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[1]).isEqualTo(3);
        assertThat(c[2]).isNaN();
    }
}
