package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.web.events.SseClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code egoist demo --watch} as a real process: the map's URL, the live map, and a clean stop on a signal. */
class DemoWatchTest {
    static final Pattern URL = Pattern.compile("live map: (http://127\\.0\\.0\\.1:\\d+/) \\(Ctrl-C to stop\\)");

    record Watch(Process process, String url, CompletableFuture<Void> keepsRunning, StringBuffer stderr) {}

    static Watch start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EgoistCli.class.getName(),
                        "demo",
                        "--watch",
                        "--nodes",
                        "4",
                        "--k",
                        "2",
                        "--messages",
                        "2",
                        "--timeout",
                        "30",
                        "--settle",
                        "2")
                .start();
        CompletableFuture<Void> keepsRunning = new CompletableFuture<>();
        StringBuffer stderr = new StringBuffer();
        Thread errReader = new Thread(() -> {
            try (BufferedReader err =
                    new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    if (stderr.length() < 20_000) stderr.append(line).append('\n');
                    if (line.startsWith("the overlay keeps running")) keepsRunning.complete(null);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        errReader.setDaemon(true);
        errReader.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        Matcher m = URL.matcher(String.valueOf(first));
        if (!m.matches()) {
            p.destroyForcibly();
            throw new AssertionError("first line of demo --watch: " + first);
        }
        Thread outDrain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // the report
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        outDrain.setDaemon(true);
        outDrain.start();
        return new Watch(p, m.group(1), keepsRunning, stderr);
    }

    @Test
    void theMapIsServedWhileTheDemoRunsAndSigtermStopsItWithExitCode0() throws Exception {
        Watch w = start();
        try {
            HttpResponse<String> page = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(w.url())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<svg id=\"map\"");
            w.keepsRunning().get(60, TimeUnit.SECONDS);
            // still serving after the report: the snapshot lists the 4 nodes with their countries
            try (SseClient events = new SseClient(w.url() + "api/events")) {
                JsonNode snap =
                        new ObjectMapper().readTree(events.next("snapshot").data());
                assertThat(snap.get("nodes")).hasSize(4);
                for (JsonNode n : snap.get("nodes"))
                    assertThat(n.get("name").asText()).matches("[A-Z]{2}");
            }
            w.process().destroy(); // SIGTERM
            assertThat(w.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process().exitValue()).as("stderr:%n%s", w.stderr()).isZero();
            // the demo ran in secure mode, and its temporary CA is gone
            Matcher ca = CA.matcher(w.stderr());
            assertThat(ca.find()).as("stderr:%n%s", w.stderr()).isTrue();
            assertThat(Path.of(ca.group(1))).doesNotExist();
        } finally {
            w.process().destroyForcibly();
        }
    }

    static final Pattern CA = Pattern.compile("secure: mutual TLS, signed link state, end-to-end DATA; CA in (\\S+) ");

    @Test
    void sigintWhileStillConvergingStopsItWithExitCode0() throws Exception {
        assumeThat(sigintIgnoredHere())
                .as("this JVM ignores SIGINT (started in the background by a shell without job control), and so"
                        + " would the child: the SIGINT case cannot be tested here")
                .isFalse();
        Watch w = start();
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(w.process().pid()))
                    .start()
                    .waitFor();
            assertThat(w.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process().exitValue()).as("stderr:%n%s", w.stderr()).isZero();
        } finally {
            w.process().destroyForcibly();
        }
    }

    /** Whether SIGINT is ignored by this process (then children inherit that). */
    static boolean sigintIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return false;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return new BigInteger(line.substring(7).trim(), 16).testBit(1); // SIGINT is signal 2
            }
        }
        return false;
    }
}
