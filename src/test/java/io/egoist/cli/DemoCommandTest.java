package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code egoist demo} end to end through the real CLI, with a small overlay to keep the test short. */
class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Set<String> overlayThreads() {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive()
                    && (n.startsWith("overlay-")
                            || n.startsWith("node-")
                            || n.startsWith("tracker")
                            || n.startsWith("echo-")
                            || n.startsWith("http-"))) {
                names.add(n);
            }
        }
        return names;
    }

    @Test
    void demoJsonReportsConvergenceCostsAndDeliveredMessagesAndLeavesNothingBehind() throws Exception {
        Set<String> before = overlayThreads();
        Cli.Run r = Cli.run(
                "demo", "--json", "--nodes", "6", "--messages", "5", "--timeout", "30", "--settle", "3", "--crash");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode d = JSON.readTree(r.out());
        assertThat(d.get("nodes").asInt()).isEqualTo(6);
        assertThat(d.get("converged").isBoolean()).isTrue();
        assertThat(d.get("mean_cost_overlay").asDouble())
                .isGreaterThanOrEqualTo(d.get("mean_cost_full_mesh").asDouble() - 1e-6);
        assertThat(d.get("mean_cost_direct").asDouble())
                .isGreaterThanOrEqualTo(d.get("mean_cost_full_mesh").asDouble() - 1e-6);
        assertThat(d.get("messages_sent").asInt()).isEqualTo(5);
        assertThat(d.get("messages")).hasSize(5);
        int delivered = 0;
        for (JsonNode m : d.get("messages")) {
            assertThat(m.get("direct_rtt_ms").asDouble()).isPositive();
            if (!m.get("delivered").asBoolean()) {
                assertThat(m.get("error").asText()).isNotEmpty(); // a loss is reported, not hidden
                continue;
            }
            delivered++;
            JsonNode path = m.get("path");
            assertThat(path.get(0).asText()).isEqualTo(m.get("from").asText());
            assertThat(path.get(path.size() - 1).asText()).isEqualTo(m.get("to").asText());
            assertThat(m.get("route_cost_ms").asDouble()).isPositive();
            assertThat(m.get("measured_rtt_ms").asDouble()).isPositive();
        }
        assertThat(d.get("messages_delivered").asInt()).isEqualTo(delivered).isPositive();
        assertThat(d.get("per_node")).hasSize(6);
        for (JsonNode n : d.get("per_node")) assertThat(n.get("neighbors")).hasSize(3);
        JsonNode crash = d.get("crash");
        assertThat(crash.get("mode").asText()).isEqualTo("kill");
        assertThat(crash.get("recovered_pairs").asInt())
                .isEqualTo(crash.get("affected_pairs").asInt());
        assertThat(crash.get("tracker_removed").asBoolean()).isTrue();
        // progress went to stderr, and the process is clean again
        assertThat(r.err()).contains("starting a tracker and 6 nodes");
        Thread.sleep(200);
        assertThat(overlayThreads()).isSubsetOf(before);
    }

    @Test
    void demoTextReportShowsNodesCostsAndMessages() {
        Cli.Run r = Cli.run("demo", "--nodes", "4", "--k", "2", "--messages", "2", "--timeout", "15", "--settle", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("EGOIST demo: 4 nodes, k=2, policy br")
                .contains("overlay")
                .contains("fullmesh")
                .contains("direct")
                .contains("Test messages: 2 sent, ")
                .contains(" delivered");
    }

    @Test
    void demoRejectsBadOptionsWithOneLine() {
        String[][] cases = {
            {"demo", "--nodes", "1"},
            {"demo", "--nodes", "200"},
            {"demo", "--k", "0"},
            {"demo", "--crash", "melt"},
            {"demo", "--timeout", "0"},
            {"demo", "--policy", "nope", "--nodes", "3", "--k", "1"}
        };
        for (String[] args : cases) {
            Cli.Run r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip())
                    .as(String.join(" ", args))
                    .startsWith("egoist demo: ")
                    .doesNotContain("\n");
        }
    }
}
