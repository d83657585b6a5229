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
                            || n.startsWith("demo-")
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
                "demo",
                "--open",
                "--json",
                "--nodes",
                "6",
                "--messages",
                "5",
                "--timeout",
                "30",
                "--settle",
                "3",
                "--crash");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode d = JSON.readTree(r.out());
        assertThat(d.get("nodes").asInt()).isEqualTo(6);
        assertThat(d.get("mode").asText()).isEqualTo("open");
        assertThat(d.has("ca_dir")).isFalse();
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
        JsonNode t = assertTunnels(d);
        if (!t.has("crash")) {
            // nothing between the two to crash in either mode: the demo crashed the node most routes pass through
            assertThat(t.get("relays")).isEmpty();
        } else {
            // a relay of the tunnels was the node crashed, while both tunnels carried round trips (forwards in mode
            // overlay when the best routes, the tunnels', had no relay)
            JsonNode tc = t.get("crash");
            JsonNode crashRelays =
                    tc.get("tunnel_mode").asText().equals("overlay") ? tc.get("relays") : t.get("relays");
            assertThat(crashRelays).isNotEmpty();
            assertThat(tc.get("victim").asText())
                    .isEqualTo(crash.get("victim").asText())
                    .isIn(textsOf(crashRelays));
            for (String proto : new String[] {"udp", "tcp"}) {
                JsonNode s = tc.get(proto);
                assertThat(s.get("corrupt").asInt()).as(proto).isZero();
                assertThat(s.get("byte_exact").asInt()).as(proto).isPositive();
                assertThat(s.get("stall_ms").asDouble()).as(proto).isPositive();
                assertThat(s.get("recovered").asBoolean()).as(proto).isTrue();
            }
            JsonNode tcp = tc.get("tcp");
            // until TCP streams survive a relay's death, the demo says the connection broke and opens another
            if (!tcp.get("connection_survived").asBoolean()) {
                assertThat(tcp.get("note").asText()).startsWith("TCP tunnel ");
                assertThat(tcp.get("reopened").asInt()).isPositive();
            }
        }
        // progress went to stderr, and the process is clean again
        assertThat(r.err()).contains("starting a tracker and 6 nodes");
        Thread.sleep(200);
        assertThat(overlayThreads()).isSubsetOf(before);
    }

    /**
     * The tunnels' figures: the farthest pair of the demo, every round trip over both tunnels byte-exact, times
     * positive, and the frames' routes consistent with the relays that counted them.
     */
    static JsonNode assertTunnels(JsonNode d) {
        JsonNode t = d.get("tunnels");
        assertThat(t).as("tunnels in %s", d).isNotNull();
        assertThat(t.has("error")).as("tunnels error: %s", t.get("error")).isFalse();
        double farthest = 0;
        for (JsonNode m : d.get("messages"))
            farthest = Math.max(farthest, m.get("direct_rtt_ms").asDouble());
        assertThat(t.get("direct_rtt_ms").asDouble()).isGreaterThanOrEqualTo(farthest);
        assertThat(t.get("route_cost_overlay_ms").asDouble()).isPositive();
        assertThat(t.get("route_cost_best_ms").asDouble()).isPositive();
        for (String proto : new String[] {"udp", "tcp"}) {
            JsonNode s = t.get(proto);
            assertThat(s.get("round_trips").asInt()).as(proto).isEqualTo(20);
            assertThat(s.get("byte_exact").asInt()).as(proto).isEqualTo(20);
            assertThat(s.get("corrupt").asInt()).as(proto).isZero();
            assertThat(s.get("median_rtt_ms").asDouble()).as(proto).isPositive();
            assertThat(s.get("min_rtt_ms").asDouble())
                    .as(proto)
                    .isPositive()
                    .isLessThanOrEqualTo(s.get("median_rtt_ms").asDouble());
            assertThat(s.get("loopback_median_rtt_ms").asDouble()).as(proto).isPositive();
        }
        if (!t.get("path_mode").asText().equals("unknown")) {
            JsonNode there = t.get("path_there");
            assertThat(there.get(0).asText()).isEqualTo(t.get("from").asText());
            assertThat(there.get(there.size() - 1).asText())
                    .isEqualTo(t.get("to").asText());
            assertThat(t.get("path_emulated_rtt_ms").asDouble()).isPositive();
        }
        JsonNode h = d.get("data_per_hop");
        assertThat(h.get("messages").asInt()).isPositive();
        assertThat(h.get("hops").asInt())
                .isGreaterThanOrEqualTo(2 * h.get("messages").asInt());
        assertThat(h.get("median_one_way_ms").asDouble()).isPositive();
        assertThat(h.get("median_beyond_emulated_ms").isNumber()).isTrue();
        return t;
    }

    static java.util.List<String> textsOf(JsonNode array) {
        java.util.List<String> r = new java.util.ArrayList<>();
        for (JsonNode x : array) r.add(x.asText());
        return r;
    }

    @Test
    void demoRunsInSecureModeByDefaultAndDeletesItsCa() throws Exception {
        Cli.Run r = Cli.run(
                "demo", "--json", "--nodes", "4", "--k", "2", "--messages", "3", "--timeout", "40", "--settle", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("secure: mutual TLS, signed link state, end-to-end DATA; CA in ");
        JsonNode d = JSON.readTree(r.out());
        assertThat(d.get("mode").asText()).isEqualTo("secure");
        java.nio.file.Path ca = java.nio.file.Path.of(d.get("ca_dir").asText());
        assertThat(r.err()).contains("CA in " + ca);
        assertThat(ca).doesNotExist(); // deleted at exit
        assertThat(d.get("messages_delivered").asInt()).isPositive();
        for (JsonNode m : d.get("messages")) {
            if (m.get("delivered").asBoolean())
                assertThat(m.get("measured_rtt_ms").asDouble()).isPositive();
        }
        assertTunnels(d);
    }

    @Test
    void demoTextReportShowsNodesCostsAndMessages() {
        Cli.Run r = Cli.run(
                "demo", "--open", "--nodes", "4", "--k", "2", "--messages", "2", "--timeout", "15", "--settle", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("open: v0.2 mode");
        assertThat(r.out())
                .contains("EGOIST demo: 4 nodes, k=2, policy br")
                .contains("Mode: open")
                .contains("DATA latency per overlay hop: ")
                .contains("Tunnels ")
                .contains("byte-exact")
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
            {"demo", "--latency-rounds", "-1"},
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
