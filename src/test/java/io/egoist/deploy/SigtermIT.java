package io.egoist.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tracker and a node run as services would: the real jar in child processes, configured from files
 * ({@code --config}: YAML for the tracker, properties for the node), stopped with SIGTERM (what systemd and
 * docker send): each stops cleanly and exits 0.
 */
class SigtermIT {
    static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    static String get(String url) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void trackerAndNodeFromConfigFilesStopCleanlyOnSigtermWithExitCode0() throws Exception {
        Path trackerYaml = dir.resolve("tracker.yaml");
        Files.writeString(
                trackerYaml,
                "port: 0\nhttp-port: 0\nbind: 127.0.0.1\ndata: " + dir.resolve("db") + "\nremove-period: 1\n");
        try (JarProcess tracker =
                JarProcess.start("tracker", List.of(), "tracker", "--config", trackerYaml.toString())) {
            Matcher t = tracker.awaitOut(
                    "egoist tracker listening on 127\\.0\\.0\\.1:(\\d+) \\(http 127\\.0\\.0\\.1:(\\d+)\\).*", START);
            int trackerPort = Integer.parseInt(t.group(1));
            int httpPort = Integer.parseInt(t.group(2));

            Path nodeProperties = dir.resolve("node.properties");
            Files.writeString(
                    nodeProperties,
                    "tracker=127.0.0.1:" + trackerPort + "\nhost=127.0.0.1\nport=0\ncontrol-port=0\nping-period=1\n");
            try (JarProcess node = JarProcess.start("node", List.of(), "node", "--config", nodeProperties.toString())) {
                Matcher n = node.awaitOut("node=(\\S+) echo_port=\\d+ control=127\\.0\\.0\\.1:(\\d+) .*", START);
                String id = n.group(1);
                int control = Integer.parseInt(n.group(2));
                await().atMost(START)
                        .pollInterval(Duration.ofMillis(300))
                        .ignoreExceptions()
                        .until(() -> get("http://127.0.0.1:" + httpPort + "/api/overlay")
                                .contains(id));
                assertThat(get("http://127.0.0.1:" + control + "/status")).contains(id);

                assertThat(node.sigterm(Duration.ofSeconds(40)))
                        .as("node exit code after SIGTERM")
                        .isZero();
                assertThat(node.stderr())
                        .as("node stderr; stdout %s", node.stdout())
                        .anyMatch(l -> l.contains("event=node_stopped"));
                assertThat(String.join("\n", node.stderr())).doesNotContain("Exception");
            }
            assertThat(tracker.sigterm(Duration.ofSeconds(40)))
                    .as("tracker exit code after SIGTERM")
                    .isZero();
            assertThat(tracker.stderr()).anyMatch(l -> l.contains("event=tracker-stopped"));
            assertThat(String.join("\n", tracker.stderr())).doesNotContain("Exception");
        }
        assertThat(dir.resolve("db").resolve("tracker.db")).exists();
    }
}
