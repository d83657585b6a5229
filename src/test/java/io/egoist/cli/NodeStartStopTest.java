package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.cli.Cli.Run;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNode;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.Seed;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start and stop of {@code egoist node} against a real tracker: a start-up failure registers nothing; SIGTERM
 * makes the node leave at once (RMV of itself, confirmed by the tracker's probe) and exit 0.
 */
class NodeStartStopTest {

    /** A tracker whose sweep (and expiry) is far away: only an RMV-triggered removal can happen in a test. */
    private static TrackerServer tracker(Path dir) {
        return TrackerServer.start(TrackerConfig.forTest(dir.resolve("tracker"))
                .withRemovePeriodMs(600_000)
                .withExpireAfterMs(3_600_000)
                .withPingTimeoutMs(1_000));
    }

    private static List<String> listed(TrackerServer t) {
        return t.snapshot().nodes().stream()
                .map(TrackerNode::id)
                .map(Object::toString)
                .toList();
    }

    @Test
    void aTakenControlPortIsOneLineAndExit1AndTheTrackerSawNoReg(@TempDir Path dir) throws Exception {
        try (TrackerServer t = tracker(dir);
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run(
                    "node",
                    "--tracker",
                    "127.0.0.1:" + t.port(),
                    "--port",
                    "0",
                    "--control-port",
                    String.valueOf(taken.getLocalPort()));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().strip())
                    .startsWith("egoist node: cannot bind the control port")
                    .doesNotContain("\n");
            assertThat(r.out()).isEmpty();
            assertThat(t.counters().message(Seed.REGISTER)).isZero();
            assertThat(listed(t)).isEmpty();
        }
    }

    @Test
    void aTakenMainPortIsOneLineAndExit1AndTheTrackerSawNoReg(@TempDir Path dir) throws Exception {
        try (TrackerServer t = tracker(dir);
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run(
                    "node",
                    "--tracker",
                    "127.0.0.1:" + t.port(),
                    "--port",
                    String.valueOf(taken.getLocalPort()),
                    "--control-port",
                    "0");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().strip()).startsWith("egoist node: cannot bind").doesNotContain("\n");
            assertThat(t.counters().message(Seed.REGISTER)).isZero();
        }
    }

    @Test
    void sigtermLeavesAtOnceAndExits0(@TempDir Path dir) throws Exception {
        try (TrackerServer t = tracker(dir)) {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(
                            java,
                            "-Xmx128m",
                            "-DEGOIST_LOG_LEVEL=INFO", // its log is the failure message's evidence
                            "-cp",
                            System.getProperty("java.class.path"),
                            "io.egoist.cli.EgoistCli",
                            "node",
                            "--tracker",
                            "127.0.0.1:" + t.port(),
                            "--port",
                            "0",
                            "--control-port",
                            "0")
                    .redirectError(dir.resolve("node.err").toFile());
            Process p = pb.start();
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String first = out.readLine();
                assertThat(first).as("stderr: %s", readErr(dir)).isNotNull().startsWith("node=");
                Matcher m = Pattern.compile("node=(\\S+)").matcher(first);
                assertThat(m.find()).isTrue();
                String id = m.group(1);
                await().atMost(Duration.ofSeconds(30)).until(() -> listed(t).contains(id));
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("stderr: %s", readErr(dir)).isZero();
                // the RMV came from the node's own (just closed) main port, so one failed probe suffices ...
                assertThat(readErr(dir)).contains("event=leave_rmv_sent", "from_own_port=true");
                // ... and it is removed then; the sweep is 10 minutes away
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(listed(t))
                                .as("node stderr: %s", readErr(dir))
                                .doesNotContain(id));
                assertThat(t.counters().message(Seed.REMOVE)).isGreaterThanOrEqualTo(1);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static String readErr(Path dir) {
        try {
            File f = dir.resolve("node.err").toFile();
            String s = java.nio.file.Files.readString(f.toPath());
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (java.io.IOException e) {
            return "(no stderr)";
        }
    }
}
