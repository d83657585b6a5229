package io.egoist.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.sns.Graph;
import io.egoist.sns.WiringProblem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrBenchTest {

    @Test
    void ripeScenarioRotatesTheChoosingNodeOverTheShippedMatrix() throws Exception {
        BrBench.Scenario s = new BrBench(1, 0, 0, 1).scenario("ripe94");
        assertThat(s.n()).isEqualTo(94);
        assertThat(s.k()).isEqualTo(3);
        WiringProblem p0 = s.problem().apply(0);
        WiringProblem p95 = s.problem().apply(95);
        assertThat(p0.self()).isZero();
        assertThat(p95.self()).isEqualTo(1);
        assertThat(p0.residual().outDegree(5)).isEqualTo(3);
    }

    @Test
    void randomOverlayGivesEveryNodeKDistinctLinksWithTheGivenDelays() {
        Graph g = BrBench.randomOverlay(30, 4, 7, (u, v) -> u * 100 + v);
        for (int u = 0; u < 30; u++) {
            assertThat(g.outDegree(u)).isEqualTo(4);
            assertThat(g.hasEdge(u, u)).isFalse();
        }
        assertThat(BrBench.randomOverlay(30, 4, 7, (u, v) -> 1).hasEdge(0, 1))
                .isEqualTo(BrBench.randomOverlay(30, 4, 7, (u, v) -> 1).hasEdge(0, 1));
    }

    @Test
    void geometricDelaysArePositiveAndAsymmetric() {
        BrBench.Geo geo = new BrBench.Geo(50, 3);
        int asymmetric = 0;
        for (int u = 0; u < 50; u++) {
            for (int v = 0; v < 50; v++) {
                if (u != v) {
                    assertThat(geo.delay(u, v)).isGreaterThanOrEqualTo(1);
                    if (geo.delay(u, v) != geo.delay(v, u)) {
                        asymmetric++;
                    }
                }
            }
        }
        assertThat(asymmetric).isPositive();
    }

    @Test
    void runReportsOrderedQuantilesAndTheJsonAndTableCarryThem() throws Exception {
        BrBench bench = new BrBench(5, 1, 0, 1);
        StringWriter err = new StringWriter();
        List<BrBench.Result> results = bench.runAll(List.of("ripe94"), new PrintWriter(err, true));
        assertThat(results).hasSize(1);
        BrBench.Result r = results.get(0);
        assertThat(r.minMs()).isPositive().isLessThanOrEqualTo(r.medianMs());
        assertThat(r.medianMs()).isLessThanOrEqualTo(r.p90Ms());
        assertThat(err.toString()).contains("bench br: ripe94 (n=94 k=3 br)");
        JsonNode doc = new ObjectMapper().readTree(bench.json(results));
        assertThat(doc.get("repeat").asInt()).isEqualTo(5);
        assertThat(doc.get("scenarios").get(0).get("met").asBoolean()).isEqualTo(r.met());
        StringWriter table = new StringWriter();
        bench.printTable(new PrintWriter(table, true), results);
        assertThat(table.toString()).contains("ripe94").contains("median <= goal");
    }

    @Test
    void quantileIsNearestRank() {
        double[] s = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(BrBench.quantile(s, 0.5)).isEqualTo(5);
        assertThat(BrBench.quantile(s, 0.9)).isEqualTo(9);
        assertThat(BrBench.quantile(new double[] {4}, 0.9)).isEqualTo(4);
    }

    @Test
    void badParametersAndUnknownScenariosAreRejected() {
        assertThatThrownBy(() -> new BrBench(0, 0, 0, 1)).hasMessageContaining("--repeat");
        assertThatThrownBy(() -> new BrBench(1, 0, 0, 1).scenario("nope")).hasMessageContaining("unknown scenario");
    }
}
