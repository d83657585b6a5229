package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.cli.Cli.Run;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.web.ControlApi;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** egoist node / status / route / send, through the real CLI, against nodes on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private LocalOverlay overlay;
    private ControlApi api;
    private String control;

    @BeforeAll
    void start() {
        overlay = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(LatencyMatrix.ripe().subset(1, 2, 3))
                .k(2)
                .emulate(false)
                .tune(c -> c.withPingPeriodMs(1_000).withRewirePeriodMs(1_000)));
        api = ControlApi.start(overlay.node(0), "127.0.0.1", 0, null);
        control = "127.0.0.1:" + api.port();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> overlay.node(0).routes().join().size() == 2
                        && overlay.node(2).routes().join().size() == 2);
    }

    @AfterAll
    void stop() {
        if (api != null) api.close();
        if (overlay != null) overlay.close();
    }

    @Test
    void statusPrintsTheNodeAndItsNeighborsAsTextOrJson() throws Exception {
        Run text = run("status", "--control", control);
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out())
                .contains("node " + overlay.node(0).id())
                .contains("policy br")
                .contains("neighbors (2)");
        Run json = run("status", "--control", control, "--json");
        assertThat(json.exit()).isZero();
        JsonNode s = JSON.readTree(json.out());
        assertThat(s.get("id").asText()).isEqualTo(overlay.node(0).id().toString());
        assertThat(s.get("known_nodes").asInt()).isEqualTo(2);
    }

    @Test
    void routePrintsOneRouteOrTheWholeTable() throws Exception {
        String dst = overlay.node(2).id().toString();
        Run one = run("route", "--control", control, "--to", dst);
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(one.out()).startsWith(dst).contains("path " + overlay.node(0).id());
        Run all = run("route", "--control", control, "--json");
        assertThat(JSON.readTree(all.out()).get("routes")).hasSize(2);
        Run none = run("route", "--control", control, "--to", "10.9.8.7:6000");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err().strip())
                .startsWith("egoist route: no route to 10.9.8.7:6000")
                .doesNotContain("\n");
    }

    @Test
    void sendDeliversTextAndReportsPathCostAndRoundTrip() throws Exception {
        String dst = overlay.node(1).id().toString();
        Run text = run("send", "--control", control, "--to", dst, "hello from the CLI");
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out())
                .contains("delivered to " + dst)
                .contains("route cost")
                .contains("round trip");
        Run json = run("send", "--control", control, "--to", dst, "--json", "again");
        JsonNode b = JSON.readTree(json.out());
        assertThat(b.get("rtt_ms").asDouble()).isPositive();
        assertThat(b.get("path").get(b.get("path").size() - 1).asText()).isEqualTo(dst);
    }

    @Test
    void statusRouteAndSendSendTheTokenFromTheTokenFile(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "t0ken-for-the-cli\n");
        try (ControlApi locked = ControlApi.start(overlay.node(0), "127.0.0.1", 0, null, "t0ken-for-the-cli")) {
            String c = "127.0.0.1:" + locked.port();
            String dst = overlay.node(1).id().toString();
            String t = tokenFile.toString();
            assertThat(run("status", "--control", c, "--control-token-file", t).exit())
                    .isZero();
            assertThat(run("route", "--control", c, "--to", dst, "--control-token-file", t)
                            .exit())
                    .isZero();
            Run sent = run("send", "--control", c, "--to", dst, "--control-token-file", t, "with a token");
            assertThat(sent.exit()).as(sent.err()).isZero();
            assertThat(sent.out()).contains("delivered to " + dst);
            for (String[] args : new String[][] {
                {"status", "--control", c}, {"route", "--control", c}, {"send", "--control", c, "--to", dst, "x"}
            }) {
                Run r = run(args);
                assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
                assertThat(r.err().strip()).contains("unauthorized").doesNotContain("\n");
            }
            Path wrong = dir.resolve("wrong");
            Files.writeString(wrong, "not-it");
            assertThat(run("status", "--control", c, "--control-token-file", wrong.toString())
                            .exit())
                    .isEqualTo(1);
            Run missing = run(
                    "status",
                    "--control",
                    c,
                    "--control-token-file",
                    dir.resolve("nope").toString());
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).contains("no such file");
        }
    }

    @Test
    void aPayloadOverTheMaximumIsOneLineAndANonZeroExit(@TempDir Path dir) throws Exception {
        String dst = overlay.node(1).id().toString();
        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[io.egoist.node.runtime.EgoistNode.MAX_PAYLOAD + 1]);
        Run r = run("send", "--control", control, "--to", dst, "--file", big.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip())
                .startsWith("egoist send: payload too large: 65537 bytes")
                .doesNotContain("\n");
        assertThat(r.out()).isEmpty();
        Run neither = run("send", "--control", control, "--to", dst);
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err().strip()).startsWith("egoist send: give the message");
    }

    @Test
    void anUnreachableControlPortIsOneLineAndExit1() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        for (String cmd : new String[] {"status", "route"}) {
            Run r = run(cmd, "--control", "127.0.0.1:" + dead);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().strip())
                    .startsWith("egoist " + cmd + ": cannot reach the node's control API at 127.0.0.1:" + dead)
                    .doesNotContain("\n");
            assertThat(r.out()).isEmpty();
        }
        Run s = run("send", "--control", "127.0.0.1:" + dead, "--to", "127.0.0.1:7000", "x");
        assertThat(s.exit()).isEqualTo(1);
        Run bad = run("status", "--control", "nonsense");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("HOST:PORT");
    }

    @Test
    void nodeCommandJoinsTheTrackerAndServesItsControlApiUntilItsTimeIsUp() throws Exception {
        // an overlay of its own, so that the extra node does not show up in the other tests
        try (LocalOverlay own = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(LatencyMatrix.ripe().subset(4, 5))
                .k(1)
                .emulate(false)
                .tune(c -> c.withPingPeriodMs(1_000).withRewirePeriodMs(1_000)))) {
            StringWriter out = new StringWriter();
            CompletableFuture<Run> node = CompletableFuture.supplyAsync(() -> run(
                    out,
                    "node",
                    "--tracker",
                    "127.0.0.1:" + own.trackerPort(),
                    "--port",
                    "0",
                    "--control-port",
                    "0",
                    "--k",
                    "1",
                    "--ping-period",
                    "1",
                    "--rewire-period",
                    "1",
                    "--run-for",
                    "10"));
            Pattern started = Pattern.compile(
                    "node=(\\S+) echo_port=(\\d+) control=(\\S+) tracker=127.0.0.1:" + own.trackerPort());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> started.matcher(out.toString()).find());
            Matcher m = started.matcher(out.toString());
            assertThat(m.find()).isTrue();
            assertThat(Integer.parseInt(m.group(2)))
                    .isEqualTo(Integer.parseInt(m.group(1).split(":")[1]) + 1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> own.tracker().snapshot().nodes().size() == 3);
            // its control API answers with what it learned from the tracker and the others
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                Run st = run("status", "--control", m.group(3), "--json");
                return st.exit() == 0
                        && JSON.readTree(st.out()).get("known_nodes").asInt() == 2
                        && JSON.readTree(st.out()).get("id").asText().equals(m.group(1));
            });
            Run done = node.get(20, TimeUnit.SECONDS);
            assertThat(done.exit()).as(done.err()).isZero();
            // stopped: its control port is closed again
            Run after = run("status", "--control", m.group(3));
            assertThat(after.exit()).isEqualTo(1);
        }
    }

    @Test
    void emulationByRegistrationOrderMakesProbesMeasureTheMatrix(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "node,A,B\nA,0,200\nB,200,0\n");
        try (TrackerServer tracker = TrackerServer.start(TrackerConfig.forTest(dir.resolve("tracker")))) {
            String t = "127.0.0.1:" + tracker.port();
            StringWriter outA = new StringWriter(), outB = new StringWriter();
            String[] common = {
                "--tracker",
                t,
                "--port",
                "0",
                "--control-port",
                "0",
                "--k",
                "1",
                "--ping-period",
                "1",
                "--rewire-period",
                "1",
                "--emulate",
                csv.toString(),
                "--run-for",
                "12"
            };
            CompletableFuture<Run> a =
                    CompletableFuture.supplyAsync(() -> run(outA, concat(new String[] {"node", "--as", "A"}, common)));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> tracker.snapshot().nodes().size() == 1);
            CompletableFuture<Run> b =
                    CompletableFuture.supplyAsync(() -> run(outB, concat(new String[] {"node", "--as", "B"}, common)));
            Pattern control = Pattern.compile("control=(\\S+)");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> control.matcher(outA.toString()).find());
            Matcher m = control.matcher(outA.toString());
            assertThat(m.find()).isTrue();
            // A learned B's name from the tracker's list (position 1 = B) and delays both ways by 100 ms
            await().atMost(Duration.ofSeconds(12)).until(() -> {
                Run st = run("status", "--control", m.group(1), "--json");
                if (st.exit() != 0) return false;
                JsonNode ns = JSON.readTree(st.out()).get("neighbors");
                return ns.size() == 1
                        && ns.get(0).get("cost_ms").isNumber()
                        && ns.get(0).get("cost_ms").asDouble() > 190
                        && ns.get(0).get("cost_ms").asDouble() < 300;
            });
            assertThat(a.get(20, TimeUnit.SECONDS).exit()).isZero();
            assertThat(b.get(20, TimeUnit.SECONDS).exit()).isZero();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void nodeCommandRejectsBadOptionsWithOneLine(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "node,A,B\nA,0,10\nB,10,0\n");
        String[][] cases = {
            {"node", "--tracker", "127.0.0.1:1", "--emulate", csv.toString()},
            {"node", "--tracker", "127.0.0.1:1", "--emulate", csv.toString(), "--as", "Q"},
            {"node", "--tracker", "127.0.0.1:1", "--as", "A"},
            {"node", "--tracker", "127.0.0.1:1", "--policy", "nope"},
            {"node", "--tracker", "127.0.0.1:x"},
            {"node", "--tracker", "127.0.0.1:1", "--host", "localhost"},
            {"node", "--tracker", "127.0.0.1:1", "--ping-period", "0"},
            {"node", "--tracker", "127.0.0.1:1", "--data-hold", "-1"},
            {"node", "--tracker", "127.0.0.1:1", "--stream-timeout", "0"},
            {"node", "--tracker", "127.0.0.1:1", "--stream-timeout", "NaN"},
            {"node", "--tracker", "127.0.0.1:1", "--rewire-min-gain-ms", "NaN"},
            {"node", "--tracker", "127.0.0.1:1", "--rewire-min-gain", "1.5"},
            {
                "node",
                "--tracker",
                "127.0.0.1:1",
                "--emulate",
                dir.resolve("missing.csv").toString(),
                "--as",
                "A"
            },
        };
        for (String[] args : cases) {
            Run r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip())
                    .as(String.join(" ", args))
                    .startsWith("egoist node: ")
                    .doesNotContain("\n");
        }
        Run missing = run("node");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--tracker");
    }
}
