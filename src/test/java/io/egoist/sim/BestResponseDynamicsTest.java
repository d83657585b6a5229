package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Costs;
import io.egoist.sns.Graph;
import io.egoist.sns.Policies;
import io.egoist.sns.WiringProblem;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BestResponseDynamicsTest {

    private static final LatencyMatrix SMALL = TopologyGenerator.geo(16, 11);

    @Test
    void convergedRunEndsWithARoundThatChangesNothing() {
        int k = 3;
        BestResponseDynamics dyn =
                new BestResponseDynamics(SMALL, k, Policies.byName("br"), PolicyComparison.kRandomStart(SMALL, k, 1));
        Random random = new Random(42);
        BestResponseDynamics.Result r = dyn.run(50, random);
        assertThat(r.converged()).isTrue();
        assertThat(r.rounds()).isBetween(2, 50);
        assertThat(r.rewirings()).isGreaterThanOrEqualTo(1);
        int[][] before = dyn.wiring();
        // One more round: still nothing to change.
        assertThat(dyn.round(random)).isZero();
        assertThat(dyn.wiring()).isDeepEqualTo(before);
        // And no node has a single strictly better best response: the overlay is a stable wiring.
        Graph overlay = dyn.overlay();
        for (int i = 0; i < SMALL.size(); i++) {
            Graph residual = overlay.copy();
            residual.clearOutEdges(i);
            WiringProblem p = WiringProblem.delay(i, k, Wirings.direct(SMALL, i), residual, before[i]);
            int[] best = Policies.byName("br").choose(p, new Random(0));
            assertThat(Costs.cost(p, best)).isGreaterThanOrEqualTo(Costs.cost(p, before[i]) * (1 - 1e-9));
        }
    }

    @Test
    void roundsAndRewiringsAreCountedPerRound() {
        int k = 2;
        int[][] start = PolicyComparison.kRandomStart(SMALL, k, 5);
        BestResponseDynamics manual = new BestResponseDynamics(SMALL, k, Policies.byName("br"), start);
        Random r1 = new Random(9);
        int sum = 0;
        int rounds = 0;
        int first = -1;
        int changed;
        do {
            changed = manual.round(r1);
            if (first < 0) {
                first = changed;
            }
            sum += changed;
            rounds++;
        } while (changed > 0 && rounds < 40);
        assertThat(manual.rounds()).isEqualTo(rounds);
        assertThat(manual.rewirings()).isEqualTo(sum);
        assertThat(first).isPositive().isLessThanOrEqualTo(SMALL.size());

        BestResponseDynamics auto = new BestResponseDynamics(SMALL, k, Policies.byName("br"), start);
        BestResponseDynamics.Result res = auto.run(40, new Random(9));
        assertThat(res.rounds()).isEqualTo(rounds);
        assertThat(res.rewirings()).isEqualTo(sum);
        assertThat(res.converged()).isEqualTo(changed == 0);
        assertThat(auto.wiring()).isDeepEqualTo(manual.wiring());
    }

    @Test
    void roundLimitStopsAnUnconvergedRun() {
        // On the RIPE matrix best-response dynamics keep finding improvements for many rounds.
        LatencyMatrix ripe = LatencyMatrix.ripe();
        BestResponseDynamics dyn =
                new BestResponseDynamics(ripe, 3, Policies.byName("br"), PolicyComparison.kRandomStart(ripe, 3, 1));
        BestResponseDynamics.Result r = dyn.run(2, new Random(1));
        assertThat(r.rounds()).isEqualTo(2);
        assertThat(r.converged()).isFalse();
        assertThat(r.rewirings()).isGreaterThan(ripe.size()); // round 1 re-wires everyone, round 2 some more
    }

    @Test
    void everyNodeKeepsExactlyKDistinctLinksAndAdoptedMovesLowerTheMoverCost() {
        int k = 3;
        BestResponseDynamics dyn = new BestResponseDynamics(
                SMALL, k, Policies.byName("br-eps"), PolicyComparison.kRandomStart(SMALL, k, 2));
        dyn.run(10, new Random(3));
        for (int[] links : dyn.wiring()) {
            assertThat(links).hasSize(k).doesNotHaveDuplicates();
        }
        for (int i = 0; i < SMALL.size(); i++) {
            assertThat(dyn.wiring()[i]).doesNotContain(i);
        }
    }
}
