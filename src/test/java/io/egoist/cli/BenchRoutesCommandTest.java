package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.Cli.Run;
import org.junit.jupiter.api.Test;

/** egoist bench routes through the real CLI (a small overlay, so that the test stays quick). */
class BenchRoutesCommandTest {

    @Test
    void reportsTheModesSideBySideWithBestNeverWorseThanDirect() throws Exception {
        Run r = run("bench", "routes", "--nodes", "10", "--k", "2", "--seed", "4", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("pairs").asInt()).isEqualTo(90);
        assertThat(j.get("bestWorseThanDirect").asInt()).isZero();
        assertThat(j.get("meanBest").asDouble())
                .isLessThanOrEqualTo(j.get("meanDirect").asDouble());
        assertThat(j.get("meanBest").asDouble())
                .isLessThanOrEqualTo(j.get("meanOverlay").asDouble());
        assertThat(j.get("meanBest").asDouble())
                .isGreaterThanOrEqualTo(j.get("meanFullMesh").asDouble() - 1e-6);
        assertThat(j.get("delivered").asInt()).isEqualTo(90);
        Run text = run("bench", "routes", "--nodes", "6", "--k", "2");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out())
                .contains("best ")
                .contains("overlay ")
                .contains("full mesh ")
                .contains("direct ");
    }

    /**
     * With --measure, real nodes on loopback with latency emulation: every sampled pair is measured in both modes,
     * and the best tunnel's frames left on the first hop the source's best route names (structure, never timing).
     */
    @Test
    void measuresEchoesThroughTunnelsInBothModesOnRealNodes() throws Exception {
        Run r = run(
                "bench", "routes", "--measure", "--nodes", "6", "--k", "2", "--pairs", "4", "--echoes", "3", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("bench routes: ").contains("pair 4/4");
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode pairs = j.get("pairs");
        assertThat(pairs).hasSize(4);
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (JsonNode p : pairs) {
            String pair = p.get("from").asText() + ">" + p.get("to").asText();
            assertThat(distinct.add(pair)).as("pairs are distinct: " + pair).isTrue();
            assertThat(p.get("error").isNull()).as(p.toString()).isTrue();
            assertThat(p.get("directMs").asDouble()).isPositive();
            for (String mode : new String[] {"best", "overlay"}) {
                JsonNode m = p.get(mode);
                assertThat(m.get("mode").asText()).isEqualTo(mode);
                assertThat(m.get("exact").asInt()).as(pair + " " + mode).isPositive();
                assertThat(m.get("medianMs").isNumber()).as(pair + " " + mode).isTrue();
                assertThat(m.get("path").get(0).asText())
                        .isEqualTo(p.get("from").asText());
                assertThat(m.get("path").get(m.get("path").size() - 1).asText())
                        .isEqualTo(p.get("to").asText());
                // the tables sent the frames on the route's first hop (for best: a direct link once it was up)
                assertThat(m.get("tableFirstHop").asText())
                        .as(pair + " " + mode)
                        .isEqualTo(m.get("firstHop").asText());
            }
            JsonNode best = p.get("best");
            String hop = best.get("firstHop").asText();
            if (best.get("firstHopStable").asBoolean()
                    && !hop.equals(p.get("to").asText()))
                assertThat(best.get("relays"))
                        .as("frames went over " + hop)
                        .extracting(JsonNode::asText)
                        .contains(hop);
            // a best route never costs more than the source's measured direct RTT (read with it)
            assertThat(best.get("costMs").asDouble())
                    .isLessThanOrEqualTo(best.get("directCostMs").asDouble() + 1e-6);
        }
        assertThat(j.get("measuredPairs").asInt()).isEqualTo(4);
        assertThat(j.get("allPairs").asInt()).isEqualTo(30);
        assertThat(j.get("meanMeasuredBest").isNumber()).isTrue();
        assertThat(j.get("meanMeasuredOverlay").isNumber()).isTrue();
    }

    @Test
    void measureOptionsNeedMeasureAndSaneValues() {
        Run noMeasure = run("bench", "routes", "--pairs", "3");
        assertThat(noMeasure.exit()).isEqualTo(2);
        assertThat(noMeasure.err().strip()).isEqualTo("egoist bench routes: --pairs needs --measure");
        Run tooMany = run("bench", "routes", "--measure", "--nodes", "3", "--k", "2", "--pairs", "7");
        assertThat(tooMany.exit()).isEqualTo(2);
        assertThat(tooMany.err().strip()).isEqualTo("egoist bench routes: --pairs must be 1..6, not 7");
        Run noEchoes = run("bench", "routes", "--measure", "--echoes", "0");
        assertThat(noEchoes.exit()).isEqualTo(2);
        assertThat(noEchoes.err().strip()).isEqualTo("egoist bench routes: --echoes must be 1..100, not 0");
    }

    @Test
    void aBadSizeIsOneLineAndExitTwo() {
        Run r = run("bench", "routes", "--nodes", "10", "--k", "10");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("egoist bench routes: --k must be 1..9")
                .doesNotContain("\n");
    }
}
