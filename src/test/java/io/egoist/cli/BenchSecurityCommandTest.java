package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.Cli.Run;
import org.junit.jupiter.api.Test;

class BenchSecurityCommandTest {

    @Test
    void benchSecurityPrintsOpenAndSecureFiguresSideBySide() throws Exception {
        Run r = run("bench", "security", "--rounds", "2", "--batch", "3", "--json");
        assertThat(r.exit()).isZero();
        JsonNode rows = new ObjectMapper().readTree(r.out()).get("rows");
        assertThat(rows).hasSize(6);
        assertThat(rows.get(0).get("what").asText()).contains("announcement k=3");
        for (JsonNode row : rows) {
            assertThat(row.get("open_us").asDouble()).isPositive();
            assertThat(row.get("secure_us").asDouble()).isPositive();
        }
    }

    @Test
    void benchSecurityRejectsZeroRoundsWithOneLine() {
        Run r = run("bench", "security", "--rounds", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).contains("--rounds").doesNotContain("\n");
    }
}
