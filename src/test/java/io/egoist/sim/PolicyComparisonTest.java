package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.egoist.latency.LatencyMatrix;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Honest figures: k-random over several draws, non-converged BR dynamics averaged over their last rounds. */
class PolicyComparisonTest {

    static final LatencyMatrix GEO = TopologyGenerator.geo(20, 4);

    @Test
    void kRandomIsTheMeanOverItsSeededDrawsWithTheirSpread() {
        PolicyComparison.Cell c = PolicyComparison.cell(
                new PolicyComparison.Config(GEO, List.of(3), List.of("k-random"), 1, 5, 1, 10), 3, "k-random");
        assertThat(c.draws()).isEqualTo(10);
        assertThat(c.meanCostSd()).isPositive();
        // recompute the draws independently from the same seeded stream
        Random r = new Random(Wirings.seedFor(1, 3, "k-random"));
        double[] costs = new double[10];
        for (int d = 0; d < 10; d++) {
            int[][] w = PolicyComparison.oneShot(GEO, 3, io.egoist.sns.Policies.byName("k-random"), r);
            w = io.egoist.sns.Overlays.forceCycle(w, GEO.toArray());
            costs[d] = BestResponseDynamics.meanCost(Wirings.graph(GEO, w));
        }
        assertThat(c.meanCost()).isCloseTo(PolicyComparison.mean(costs), within(1e-9));
        assertThat(c.meanCostSd()).isCloseTo(PolicyComparison.sd(costs), within(1e-9));
        assertThat(c.socialCost()).isCloseTo(c.meanCost() * 20, within(1e-6));

        PolicyComparison.Cell closest = PolicyComparison.cell(
                new PolicyComparison.Config(GEO, List.of(3), List.of("k-closest"), 1, 5, 1, 10), 3, "k-closest");
        assertThat(closest.draws()).isEqualTo(1);
        assertThat(closest.meanCostSd()).isZero();
    }

    @Test
    void brThatDoesNotConvergeIsAveragedOverTheLastRoundsAndOneThatDoesIsItsFinalCost() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        int maxRounds = 12;
        PolicyComparison.Config cfg = new PolicyComparison.Config(ripe, List.of(3), List.of("br"), 1, maxRounds, 1);
        PolicyComparison.Cell c = PolicyComparison.cell(cfg, 3, "br");
        // replay the same dynamics to get the per-round history
        BestResponseDynamics dyn = new BestResponseDynamics(
                ripe, 3, io.egoist.sns.Policies.byName("br"), PolicyComparison.kRandomStart(ripe, 3, 1));
        BestResponseDynamics.Result r = dyn.run(maxRounds, new Random(Wirings.seedFor(1, 3, "br")));
        assertThat(r.meanCosts()).hasSize(r.rounds());
        assertThat(c.converged()).isEqualTo(r.converged());
        if (r.converged()) {
            assertThat(c.roundsAveraged()).isEqualTo(1);
            assertThat(c.meanCost()).isEqualTo(r.meanCosts()[r.rounds() - 1]);
        } else {
            assertThat(c.roundsAveraged()).isEqualTo(PolicyComparison.AVERAGED_ROUNDS);
            double[] last = java.util.Arrays.copyOfRange(r.meanCosts(), maxRounds - 10, maxRounds);
            assertThat(c.meanCost()).isCloseTo(PolicyComparison.mean(last), within(1e-9));
            assertThat(c.meanCostSd()).isCloseTo(PolicyComparison.sd(last), within(1e-9));
        }
        assertThat(r.meanCosts()[r.rounds() - 1]).isCloseTo(BestResponseDynamics.meanCost(dyn.overlay()), within(1e-9));

        PolicyComparison.Cell small =
                PolicyComparison.cell(new PolicyComparison.Config(GEO, List.of(3), List.of("br"), 1, 60, 1), 3, "br");
        assertThat(small.converged()).isTrue();
        assertThat(small.roundsAveraged()).isEqualTo(1);
        assertThat(small.meanCostSd()).isZero();
        assertThat(small.meanCost()).isCloseTo(BestResponseDynamics.meanCost(small.overlay()), within(1e-9));
    }

    @Test
    void meanAndSampleSd() {
        assertThat(PolicyComparison.mean(new double[] {1, 2, 3})).isEqualTo(2);
        assertThat(PolicyComparison.sd(new double[] {1, 2, 3})).isCloseTo(1, within(1e-12));
        assertThat(PolicyComparison.sd(new double[] {5})).isZero();
    }
}
