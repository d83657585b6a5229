package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.latency.LatencyMatrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The library and the dynamics on real data: the paper's ordering of policies holds on the RIPE matrix. */
class RipeComparisonTest {

    @Test
    void onRipeBrBeatsEveryHeuristicAndFullMeshIsAtMostBrForEveryKFrom2To8() {
        List<Integer> ks = List.of(2, 3, 4, 5, 6, 7, 8);
        List<PolicyResult> results = PolicyComparison.run(
                new PolicyComparison.Config(
                        LatencyMatrix.ripe(),
                        ks,
                        List.of("br", "k-random", "k-closest", "k-regular", "full-mesh"),
                        1,
                        6,
                        2),
                null);
        assertThat(results).hasSize(ks.size() * 5);
        Map<String, PolicyResult> byCell = new HashMap<>();
        results.forEach(r -> byCell.put(r.k() + "/" + r.policy(), r));
        for (int k : ks) {
            double br = byCell.get(k + "/br").meanCost();
            assertThat(br).as("k=%d br", k).isPositive();
            for (String h : List.of("k-random", "k-closest", "k-regular")) {
                assertThat(byCell.get(k + "/" + h).meanCost())
                        .as("k=%d %s vs br", k, h)
                        .isGreaterThan(br);
                assertThat(byCell.get(k + "/" + h).ratioToBr()).isGreaterThan(1.0);
            }
            assertThat(byCell.get(k + "/full-mesh").meanCost())
                    .as("k=%d full mesh vs br", k)
                    .isLessThanOrEqualTo(br);
            assertThat(byCell.get(k + "/br").ratioToBr()).isEqualTo(1.0);
        }
        // BR improves with more links.
        assertThat(byCell.get("8/br").meanCost()).isLessThan(byCell.get("2/br").meanCost());
    }
}
