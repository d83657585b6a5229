package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.Cli.Run;
import org.junit.jupiter.api.Test;

class BenchBrCommandTest {

    @Test
    void benchBrOnTheRipeMatrixPrintsJsonFigures() throws Exception {
        Run r = run("bench", "br", "--only", "ripe94", "--repeat", "3", "--warmup", "1", "--warmup-ms", "0", "--json");
        assertThat(r.exit()).isZero();
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode s = root.get("scenarios").get(0);
        assertThat(s.get("name").asText()).isEqualTo("ripe94");
        assertThat(s.get("n").asInt()).isEqualTo(94);
        assertThat(s.get("k").asInt()).isEqualTo(3);
        assertThat(s.get("median_ms").asDouble()).isPositive();
        assertThat(s.get("p90_ms").asDouble())
                .isGreaterThanOrEqualTo(s.get("median_ms").asDouble());
    }

    @Test
    void benchBrRejectsAnUnknownScenarioWithOneLine() {
        Run r = run("bench", "br", "--only", "nope");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).contains("nope").doesNotContain("\n");
    }

    @Test
    void benchBrRejectsZeroRepeats() {
        Run r = run("bench", "br", "--repeat", "0");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--repeat");
    }

    @Test
    void ripeMatrixResourceParsesAsASquareMatrixWithZeroDiagonal() throws Exception {
        double[][] d = BenchBrCommand.readRipe();
        assertThat(d).hasNumberOfRows(94);
        for (int i = 0; i < d.length; i++) {
            assertThat(d[i]).hasSize(94);
            assertThat(d[i][i]).isZero();
        }
    }
}
