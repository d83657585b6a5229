package io.egoist.sns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class OverlaysTest {

    @Property(tries = 100)
    void forcedCycleConnectsKClosestOverlaysAndKeepsEveryDegree(
            @ForAll @IntRange(min = 3, max = 60) int n, @ForAll @IntRange(min = 1, max = 4) int k, @ForAll long seed) {
        Random r = new Random(seed);
        double[][] d = clustered(n, r);
        int[][] wiring = new int[n][];
        Graph empty = new Graph(n);
        String policy = r.nextBoolean() ? "k-closest" : "k-random";
        for (int i = 0; i < n; i++) {
            wiring[i] = Policies.byName(policy).choose(WiringProblem.delay(i, k, d[i], empty, new int[0]), r);
        }
        int[][] forced = Overlays.forceCycle(wiring, d);
        Graph g = Overlays.build(forced, d);
        assertThat(Overlays.stronglyConnected(g)).isTrue();
        for (int i = 0; i < n; i++) {
            assertThat(forced[i]).hasSize(wiring[i].length);
            assertThat(Arrays.stream(forced[i]).distinct().count()).isEqualTo(forced[i].length);
            assertThat(forced[i]).doesNotContain(i);
        }
        if (Overlays.stronglyConnected(Overlays.build(wiring, d))) {
            for (int i = 0; i < n; i++) {
                assertThat(forced[i]).containsExactly(wiring[i]);
            }
        }
    }

    @Test
    void kClosestOnTwoFarClustersIsDisconnectedUntilTheCycleIsForced() {
        int n = 10;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = i == j ? 0 : (i < 5) == (j < 5) ? 1 + Math.abs(i - j) : 500;
            }
        }
        int[][] wiring = new int[n][];
        for (int i = 0; i < n; i++) {
            wiring[i] = Policies.kClosest()
                    .choose(WiringProblem.delay(i, 2, d[i], new Graph(n), new int[0]), new Random(0));
        }
        assertThat(Overlays.stronglyConnected(Overlays.build(wiring, d))).isFalse();
        int[][] forced = Overlays.forceCycle(wiring, d);
        assertThat(Overlays.stronglyConnected(Overlays.build(forced, d))).isTrue();
        // node 4's worst link (to 2, delay 3) was replaced by its successor 5
        assertThat(forced[4]).containsExactlyInAnyOrder(3, 5);
    }

    @Test
    void forcedCycleSkipsDeadNodes() {
        int n = 6;
        double[][] d = new double[n][n];
        for (double[] row : d) {
            Arrays.fill(row, 1);
        }
        boolean[] alive = {true, true, false, true, false, true};
        int[][] wiring = {{1}, {0}, null, {5}, null, {3}};
        int[][] forced = Overlays.forceCycle(wiring, d, alive, Metric.DELAY);
        assertThat(Overlays.stronglyConnected(Overlays.build(forced, d, alive), alive))
                .isTrue();
        assertThat(forced[1]).containsExactly(3);
        assertThat(forced[2]).isNull();
    }

    @Test
    void efficiencyIsTheMeanInverseDistanceWithZeroForUnreachable() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 2);
        g.setEdge(1, 2, 2);
        // pairs: 0->1 1/2, 0->2 1/4, 1->2 1/2, others unreachable
        assertThat(Overlays.efficiency(g)).isCloseTo((0.5 + 0.25 + 0.5) / 6, within(1e-12));
        assertThat(Overlays.efficiency(g, new boolean[] {true, true, false})).isCloseTo(0.5 / 2, within(1e-12));
    }

    @Test
    void stronglyConnectedNeedsBothDirections() {
        Graph g = new Graph(3);
        g.setEdge(0, 1, 1);
        g.setEdge(1, 2, 1);
        assertThat(Overlays.stronglyConnected(g)).isFalse();
        g.setEdge(2, 0, 1);
        assertThat(Overlays.stronglyConnected(g)).isTrue();
        assertThat(Overlays.wiringOf(g)[0]).containsExactly(1);
    }

    /** Two or three far-apart clusters so k-closest overlays are often disconnected. */
    static double[][] clustered(int n, Random r) {
        int clusters = 2 + r.nextInt(2);
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    d[i][j] = (i % clusters == j % clusters ? 1 : 300) + r.nextDouble() * 10;
                }
            }
        }
        return d;
    }
}
