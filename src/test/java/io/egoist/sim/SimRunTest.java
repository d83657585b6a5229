package io.egoist.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SimRun} without the CLI: request checks, both experiments, files and rendering. */
class SimRunTest {

    @TempDir
    Path dir;

    static SimRun.Request request(Path out, String generate, Integer nodes, String k, String policies) {
        return new SimRun.Request(
                null, generate, nodes, 1, k, policies, 4, out, 1, false, 0.01, 600, 10, 30, "png", 3, false, null, null,
                false);
    }

    @Test
    void staticComparisonWritesCsvAndChartAndPrintsTheTable() throws IOException {
        Path out = dir.resolve("o");
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        SimRun.prepare(request(out, "geo", 12, "2,3", "br,k-closest,full-mesh"))
                .execute(new PrintWriter(so, true), new PrintWriter(se, true), false, false);
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertThat(csv.get(0)).startsWith(SimOutput.RESULTS_HEADER);
        assertThat(csv).hasSize(1 + 2 * 3);
        assertThat(Files.size(out.resolve("ratio_to_br.png"))).isPositive();
        assertThat(so.toString())
                .startsWith("egoist sim: geo n=12 seed=1, 12 nodes, seed 1")
                .contains("ratio to BR");
        assertThat(se.toString()).contains("] 5/5 ");
    }

    @Test
    void jsonRenderingIsOneDocumentWithTheResults() throws IOException {
        Path out = dir.resolve("j");
        StringWriter so = new StringWriter();
        SimRun.prepare(request(out, "waxman", 10, "2", "k-regular"))
                .execute(new PrintWriter(so, true), new PrintWriter(new StringWriter(), true), false, true);
        JsonNode doc = new ObjectMapper().readTree(so.toString());
        assertThat(doc.get("nodes").asInt()).isEqualTo(10);
        assertThat(doc.get("results").get(0).get("policy").asText()).isEqualTo("k-regular");
        assertThat(doc.get("results").get(0).get("ratio_to_br").asDouble()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void churnWritesItsCsv() throws IOException {
        Path out = dir.resolve("c");
        SimRun.Request r = new SimRun.Request(
                null, "geo", 12, 1, null, "br", 4, out, 1, true, 0.05, 20, 10, 10, "png", 3, false, null, null, false);
        StringWriter so = new StringWriter();
        SimRun.prepare(r).execute(new PrintWriter(so, true), new PrintWriter(new StringWriter(), true), false, false);
        assertThat(Files.readAllLines(out.resolve("churn.csv"))).hasSize(1 + 3);
        assertThat(so.toString()).contains("egoist sim --churn: geo n=12 seed=1");
    }

    @Test
    void badRequestsAreBadInputWithOneLineMessages() {
        Path out = dir.resolve("x");
        assertThatThrownBy(() -> SimRun.prepare(request(out, null, 5, null, "br")))
                .isInstanceOf(SimRun.BadInput.class)
                .hasMessage("--nodes only applies with --generate");
        assertThatThrownBy(() -> SimRun.prepare(request(out, "geo", 10, "10", "br")))
                .isInstanceOf(SimRun.BadInput.class)
                .hasMessageContaining("k=10 out of range for 10 nodes");
        assertThatThrownBy(() -> SimRun.prepare(request(out, "geo", 10, "2", "br,,k-random")))
                .isInstanceOf(SimRun.BadInput.class)
                .hasMessageContaining("empty name");
        assertThatThrownBy(() -> SimRun.prepare(new SimRun.Request(
                        null, "geo", 10, 1, "2", "br", 4, out, 0, false, 0.01, 600, 10, 30, "png", 3, false, null, null,
                        false)))
                .isInstanceOf(SimRun.BadInput.class)
                .hasMessage("--threads must be >= 1, got 0");
        assertThat(new SimRun.BadInput("a\nb").getMessage()).isEqualTo("a b");
    }
}
