package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.latency.LatencyMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChurnSimulationTest {

    private static final LatencyMatrix M = TopologyGenerator.geo(30, 4);

    private static ChurnSimulation.Config cfg(String policy, long seed) {
        return new ChurnSimulation.Config(M, 3, policy, seed, 0.02, 200, 20, 15, 10);
    }

    @Test
    void sameSeedReplaysIdenticallyAndSamplesCoverTheDuration() {
        ChurnSimulation.Run a = ChurnSimulation.run(cfg("br", 1));
        ChurnSimulation.Run b = ChurnSimulation.run(cfg("br", 1));
        assertThat(a).isEqualTo(b);
        assertThat(a.samples()).hasSize(11); // t = 0, 20, ..., 200
        assertThat(a.samples().get(0).timeS()).isZero();
        assertThat(a.samples().get(10).timeS()).isEqualTo(200.0);
        assertThat(a.arrivals() + a.departures()).isPositive();
        assertThat(a.samples().stream()
                        .map(ChurnSimulation.Sample::liveNodes)
                        .distinct()
                        .count())
                .isGreaterThan(1);
        assertThat(ChurnSimulation.run(cfg("br", 2))).isNotEqualTo(a);
    }

    @Test
    void everyPolicySeesTheSameChurnTrace() {
        List<Integer> live = null;
        for (String p : List.of(
                "br",
                "k-random",
                "k-closest",
                "k-regular",
                "hybrid-br",
                "full-mesh",
                "br-eps",
                "legacy-swap",
                "sampling-br")) {
            ChurnSimulation.Run r = ChurnSimulation.run(cfg(p, 3));
            List<Integer> l =
                    r.samples().stream().map(ChurnSimulation.Sample::liveNodes).toList();
            if (live == null) {
                live = l;
            }
            assertThat(l).as(p).isEqualTo(live);
            for (ChurnSimulation.Sample s : r.samples()) {
                assertThat(s.relativeEfficiency()).as(p).isBetween(0.0, 1.0 + 1e-9);
                assertThat(s.efficiency()).as(p).isPositive();
            }
        }
    }

    @Test
    void fullMeshIsTheReferenceAndBrKeepsMostOfItsEfficiency() {
        ChurnSimulation.Run mesh = ChurnSimulation.run(cfg("full-mesh", 5));
        assertThat(mesh.samples())
                .allSatisfy(s -> assertThat(s.relativeEfficiency()).isEqualTo(1.0));
        ChurnSimulation.Run br = ChurnSimulation.run(cfg("br", 5));
        ChurnSimulation.Run random = ChurnSimulation.run(cfg("k-random", 5));
        assertThat(br.meanRelativeEfficiency()).isGreaterThan(random.meanRelativeEfficiency());
        assertThat(br.rewirings()).isPositive();
    }

    @Test
    void hybridBrRingsKeepTheOverlayStronglyConnectedThroughChurn() {
        ChurnSimulation.Run hybrid = ChurnSimulation.run(cfg("hybrid-br", 6));
        assertThat(hybrid.arrivals() + hybrid.departures()).isGreaterThan(10);
        assertThat(hybrid.samples()).allSatisfy(s -> assertThat(s.connected()).isTrue());
    }

    @Test
    void badChurnParametersAreRejected() {
        assertThatThrownBy(() -> ChurnSimulation.run(new ChurnSimulation.Config(M, 3, "br", 1, 0, 100, 10, 10, 5)))
                .hasMessageContaining("--churn-rate");
        assertThatThrownBy(() -> ChurnSimulation.run(new ChurnSimulation.Config(M, 3, "br", 1, 0.1, -1, 10, 10, 5)))
                .hasMessageContaining("--duration");
        assertThatThrownBy(() -> ChurnSimulation.run(new ChurnSimulation.Config(M, 3, "br", 1, 0.1, 100, 0, 10, 5)))
                .hasMessageContaining("--sample-every");
    }
}
