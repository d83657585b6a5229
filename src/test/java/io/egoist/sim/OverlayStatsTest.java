package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Graph;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlayStatsTest {

    /** A→C direct is 10, through B it is 2: one detour. */
    static final LatencyMatrix TRIANGLE =
            LatencyMatrix.of("t", List.of("A", "B", "C"), new double[][] {{0, 1, 10}, {1, 0, 1}, {10, 1, 0}});

    @Test
    void metricClosureFoldsEveryDetourIntoTheDirectLink() {
        LatencyMatrix c = OverlayStats.metricClosure(TRIANGLE);
        assertThat(c.rtt(0, 2)).isEqualTo(2);
        assertThat(c.rtt(2, 0)).isEqualTo(2);
        assertThat(c.rtt(0, 1)).isEqualTo(1);
        assertThat(OverlayStats.pairsWithFasterDetour(TRIANGLE, c)).isEqualTo(2);
        assertThat(OverlayStats.pairsWithFasterDetour(c, OverlayStats.metricClosure(c)))
                .isZero();
        assertThat(OverlayStats.metricClosure(c)).isEqualTo(c);
    }

    @Test
    void directMeanIsTheFullMeshWithoutRelayingAndTheClosureMeanIsItWithRelaying() {
        assertThat(OverlayStats.directMean(TRIANGLE)).isCloseTo((1 + 10 + 1 + 1 + 10 + 1) / 6.0, within(1e-12));
        LatencyMatrix ripe = LatencyMatrix.ripe();
        double mesh = BestResponseDynamics.meanCost(PolicyComparison.fullMesh(ripe));
        assertThat(OverlayStats.directMean(OverlayStats.metricClosure(ripe))).isCloseTo(mesh, within(1e-9 * mesh));
        assertThat(OverlayStats.directMean(ripe)).isGreaterThan(mesh);
    }

    @Test
    void randomSubsetsAreSeededSortedAndSized() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LatencyMatrix a = OverlayStats.randomSubset(ripe, 50, 7);
        assertThat(a.size()).isEqualTo(50);
        assertThat(OverlayStats.randomSubset(ripe, 50, 7)).isEqualTo(a);
        assertThat(OverlayStats.randomSubset(ripe, 50, 8)).isNotEqualTo(a);
        int last = -1;
        for (String name : a.names()) {
            int i = ripe.indexOf(name);
            assertThat(i).isGreaterThan(last);
            last = i;
        }
        assertThat(a.rtt(3, 7))
                .isEqualTo(ripe.rtt(
                        ripe.indexOf(a.names().get(3)), ripe.indexOf(a.names().get(7))));
        assertThatThrownBy(() -> OverlayStats.randomSubset(ripe, 95, 1)).hasMessageContaining("3..94");
    }

    @Test
    void pathStatsOnARingCountHopsAndStretch() {
        // one-way ring 0→1→2→3→0 with unit links; the full mesh over the same unit matrix has every pair at 1
        int n = 4;
        Graph ring = new Graph(n);
        Graph mesh = new Graph(n);
        for (int i = 0; i < n; i++) {
            ring.setEdge(i, (i + 1) % n, 1);
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    mesh.setEdge(i, j, 1);
                }
            }
        }
        OverlayStats.PathStats p = OverlayStats.paths(ring, mesh);
        assertThat(p.meanHops()).isCloseTo(2.0, within(1e-12)); // hops 1, 2, 3 from every node
        assertThat(p.meanStretch()).isCloseTo(2.0, within(1e-12));
        assertThat(p.maxStretch()).isEqualTo(3.0);
        assertThat(p.unreachable()).isZero();
        Graph broken = new Graph(n);
        broken.setEdge(0, 1, 1);
        assertThat(OverlayStats.paths(broken, mesh).unreachable()).isEqualTo(11);
    }
}
