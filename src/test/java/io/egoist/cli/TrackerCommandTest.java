package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.cli.Cli.Run;
import io.egoist.tracker.TrackerStore;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code egoist tracker} through the real CLI: options, errors, the start line, and SIGTERM. */
class TrackerCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpShowsEveryOptionWithItsDefault() {
        Run r = run("tracker", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains(
                        "--port",
                        "61223",
                        "--http-bind",
                        "127.0.0.1",
                        "--max-connections-per-address",
                        "64",
                        "--first-line-timeout",
                        "5.0",
                        "--http-idle-timeout",
                        "30.0",
                        "--http-overlay-rate",
                        "8.0",
                        "--data",
                        "egoist-tracker-data",
                        "--http-port",
                        "8080",
                        "--remove-period",
                        "50.0",
                        "--expire-after",
                        "180.0",
                        "--ping-timeout",
                        "3.0",
                        "--idle-timeout",
                        "120.0",
                        "--max-connections",
                        "10000",
                        "--max-nodes",
                        "100000",
                        "--max-links",
                        "1000000",
                        "--max-regs-per-connection",
                        "8");
    }

    @Test
    void limitOptionsReachTheTrackerConfig() {
        CommandLine cl = EgoistCli.newCommandLine();
        cl.parseArgs(
                "tracker",
                "--idle-timeout",
                "0.25",
                "--max-connections",
                "3",
                "--max-nodes",
                "7",
                "--max-links",
                "9",
                "--max-regs-per-connection",
                "2");
        TrackerCommand cmd = cl.getSubcommands().get("tracker").getCommand();
        io.egoist.tracker.TrackerConfig c = cmd.config();
        assertThat(c.idleTimeoutMs()).isEqualTo(250);
        assertThat(c.maxConnections()).isEqualTo(3);
        assertThat(c.maxNodes()).isEqualTo(7);
        assertThat(c.maxLinks()).isEqualTo(9);
        assertThat(c.maxRegsPerConnection()).isEqualTo(2);
        assertThat(cmd.netConfig().overlayBytesPerSecond())
                .isEqualTo(io.egoist.tracker.TrackerNetConfig.DEFAULT_OVERLAY_BYTES_PER_SECOND);
        cl.parseArgs("tracker", "--http-overlay-rate", "0.5");
        assertThat(cmd.netConfig().overlayBytesPerSecond()).isEqualTo(512 * 1024);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "--remove-period=0",
                "--remove-period=-1",
                "--expire-after=NaN",
                "--ping-timeout=abc",
                "--ping-timeout=Infinity",
                "--port=70000",
                "--http-port=-2",
                "--remove-period=0.0000001",
                "--idle-timeout=0",
                "--idle-timeout=-3",
                "--max-connections=0",
                "--max-nodes=-5",
                "--max-links=0",
                "--max-regs-per-connection=0",
                "--max-connections=many",
                "--max-connections-per-address=0",
                "--first-line-timeout=0",
                "--stall-timeout=-1",
                "--http-max-connections=0",
                "--http-idle-timeout=0",
                "--http-overlay-rate=0",
                "--http-overlay-rate=NaN",
                "--http-bind="
            })
    void badOptionIsAOneLineErrorAndNonZeroExit(String option) {
        Run r = run("tracker", "--data", dir.toString(), "--port", "0", "--http-port", "-1", option);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).startsWith("egoist").doesNotContain("\n").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void corruptDatabaseIsAOneLineStartupError() throws Exception {
        Files.write(
                dir.resolve(TrackerStore.FILE_NAME),
                "this is not an SQLite database, just garbage bytes\n"
                        .repeat(200)
                        .getBytes(StandardCharsets.US_ASCII));
        Run r = run("tracker", "--data", dir.toString(), "--port", "0", "--http-port", "-1", "--bind", "127.0.0.1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip())
                .startsWith("egoist tracker: ")
                .contains("not a database")
                .doesNotContain("\n");
    }

    @Test
    void portInUseIsAOneLineStartupError() throws Exception {
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Run r = run(
                    "tracker",
                    "--data",
                    dir.toString(),
                    "--port",
                    String.valueOf(taken.getLocalPort()),
                    "--http-port",
                    "-1",
                    "--bind",
                    "127.0.0.1");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().strip())
                    .startsWith("egoist tracker: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("\n");
        }
    }

    @Test
    void trackerPrintsWhereItListensServesNodesAndStops() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = EgoistCli.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        TrackerCommand cmd = cl.getSubcommands().get("tracker").getCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(
                "tracker",
                "--port",
                "0",
                "--http-port",
                "0",
                "--bind",
                "127.0.0.1",
                "--data",
                dir.toString(),
                "--remove-period",
                "0.5",
                "--allow-foreign-ids")); // a 10.x id sent from 127.0.0.1
        await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("\n"));
        String line = out.toString().strip();
        Matcher m = Pattern.compile(
                        "egoist tracker listening on 127\\.0\\.0\\.1:(\\d+) \\(http 127\\.0\\.0\\.1:(\\d+)\\) data (.+) nodes 0")
                .matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        int port = Integer.parseInt(m.group(1));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("REG@10.0.0.1:7000\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("REG@10.0.0.1:7000#");
        }
        cmd.stop();
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().ids()).containsExactly(NodeId.parse("10.0.0.1:7000"));
        }
    }

    /** A real process, stopped with SIGTERM right after an update: the update is in the database afterwards. */
    @Test
    void sigtermStopsTheTrackerGracefullyAndKeepsEveryChange() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EgoistCli.class.getName(),
                        "tracker",
                        "--port",
                        "0",
                        "--http-port",
                        "-1",
                        "--bind",
                        "127.0.0.1",
                        "--data",
                        dir.toString(),
                        "--allow-foreign-ids") // 10.x ids sent from 127.0.0.1
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader stdout =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = stdout.readLine();
            Matcher m = Pattern.compile("egoist tracker listening on 127\\.0\\.0\\.1:(\\d+) .*")
                    .matcher(String.valueOf(line));
            assertThat(m.matches()).as(String.valueOf(line)).isTrue();
            int port = Integer.parseInt(m.group(1));
            for (String msg :
                    List.of("REG@10.0.0.1:7000", "REG@10.0.0.2:7000", "UPT@10.0.0.1:7000@10.0.0.2:7000@35.5|")) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    OutputStream o = s.getOutputStream();
                    o.write((msg + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    BufferedReader in =
                            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    String reply = in.readLine(); // REG: the reply; UPT: end of stream once handled
                    assertThat(reply == null).isEqualTo(msg.startsWith("UPT"));
                }
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        NodeId a = NodeId.parse("10.0.0.1:7000"), b = NodeId.parse("10.0.0.2:7000");
        try (TrackerStore store = TrackerStore.open(dir)) {
            var nodes = store.load();
            assertThat(nodes.ids()).containsExactly(a, b);
            assertThat(nodes.node(a).orElseThrow().links()).containsExactly(new Link(a, b, 35.5));
        }
    }
}
