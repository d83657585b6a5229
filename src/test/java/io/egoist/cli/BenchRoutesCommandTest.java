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

    @Test
    void aBadSizeIsOneLineAndExitTwo() {
        Run r = run("bench", "routes", "--nodes", "10", "--k", "10");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("egoist bench routes: --k must be 1..9")
                .doesNotContain("\n");
    }
}
