package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.latency.LatencyMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopologyGeneratorTest {

    @ParameterizedTest
    @ValueSource(strings = {"geo", "waxman"})
    void generatedMatrixIsCompleteSymmetricPositiveAndSeeded(String model) {
        LatencyMatrix a = TopologyGenerator.generate(model, 60, 7);
        assertThat(a.size()).isEqualTo(60);
        assertThat(a.isSymmetric()).isTrue();
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.size(); j++) {
                if (i != j) {
                    assertThat(a.rtt(i, j)).isPositive().isFinite();
                }
            }
        }
        assertThat(TopologyGenerator.generate(model, 60, 7)).isEqualTo(a);
        assertThat(TopologyGenerator.generate(model, 60, 8)).isNotEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"geo", "waxman"})
    void someTriplesViolateTheTriangleInequality(String model) {
        LatencyMatrix m = TopologyGenerator.generate(model, 40, 3);
        int n = m.size();
        int violated = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                pairs++;
                for (int w = 0; w < n; w++) {
                    if (w != i && w != j && m.rtt(i, w) + m.rtt(w, j) < m.rtt(i, j) - 1e-6) {
                        violated++;
                        break;
                    }
                }
            }
        }
        // Some pairs have a faster one-hop detour, but not most of them.
        assertThat(violated).isPositive().isLessThan(pairs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"geo", "waxman"})
    void matrixRoundTripsThroughCsv(String model) {
        LatencyMatrix m = TopologyGenerator.generate(model, 12, 1);
        assertThat(LatencyMatrix.parse("gen.csv", m.toCsv())).isEqualTo(m);
    }

    @org.junit.jupiter.api.Test
    void badModelOrSizeIsRejected() {
        assertThatThrownBy(() -> TopologyGenerator.generate("ring", 10, 1)).hasMessageContaining("unknown generator");
        assertThatThrownBy(() -> TopologyGenerator.generate("geo", 1, 1)).hasMessageContaining("--nodes");
    }
}
