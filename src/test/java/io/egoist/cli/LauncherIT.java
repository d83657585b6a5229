package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the packaged jar and the {@code ./egoist} launcher, each in a child process, as a user runs them.
 * Runs in {@code mvn verify} after {@code package} (failsafe), so the jar is the one just built.
 */
class LauncherIT {
    static final Path BASEDIR =
            Path.of(System.getProperty("egoist.basedir", ".")).toAbsolutePath();
    static final Path JAR =
            Path.of(System.getProperty("egoist.jar", "target/egoist.jar")).toAbsolutePath();

    @TempDir
    Path dir;

    /** What a finished child process printed. */
    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void theJarWasBuilt() {
        assertThat(JAR).as("run by `mvn verify`, after `package` built it").exists();
    }

    private static Path launcher() {
        return BASEDIR.resolve("egoist");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Result run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS))
                    .as("%s finished", command)
                    .isTrue();
            return new Result(
                    p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theJarAndTheLauncherPrintTheVersion() throws Exception {
        Result jar = run(List.of(java(), "-jar", JAR.toString(), "--version"));
        assertThat(jar.exit()).as(jar.err()).isZero();
        assertThat(jar.out().strip()).matches("egoist \\d+\\.\\d+\\.\\d+.*");

        // the jar is newer than the sources: the launcher runs it without building
        Result launched = run(List.of("bash", launcher().toString(), "--version"));
        assertThat(launched.exit()).as(launched.err()).isZero();
        assertThat(launched.out()).isEqualTo(jar.out());
        assertThat(launched.err()).doesNotContain("building");
    }

    @Test
    void aUsageErrorThroughTheLauncherIsOneLineAndExitCode2() throws Exception {
        Result r = run(List.of("bash", launcher().toString(), "trackr"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo("egoist: unknown command trackr (did you mean tracker?)");
    }

    @Test
    void aShortSimulationWritesItsResults() throws Exception {
        Path out = dir.resolve("sim-out");
        Result r = run(List.of(
                java(),
                "-Djava.awt.headless=true",
                "-jar",
                JAR.toString(),
                "sim",
                "--generate",
                "geo",
                "--nodes",
                "12",
                "--k",
                "2,3",
                "--policies",
                "br,k-closest",
                "--threads",
                "1",
                "--out",
                out.toString(),
                "--json"));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.isObject()).as(r.out()).isTrue();
        // a header and a row per (k, policy) at least
        assertThat(Files.readAllLines(out.resolve("results.csv"))).hasSizeGreaterThanOrEqualTo(5);
        assertThat(out.resolve("ratio_to_br.png")).isNotEmptyFile();
    }

    @Test
    void aTrackerStartedThroughTheLauncherServesAndStopsOnSigterm() throws Exception {
        Path data = dir.resolve("data");
        Process p = new ProcessBuilder(
                        "bash",
                        launcher().toString(),
                        "tracker",
                        "--bind",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--http-port",
                        "0",
                        "--data",
                        data.toString())
                .directory(dir.toFile())
                .redirectError(dir.resolve("tracker-err.txt").toFile())
                .start();
        try {
            BufferedReader stdout =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> readLine(stdout)).get(60, TimeUnit.SECONDS);
            Matcher m = Pattern.compile(
                            "egoist tracker listening on 127\\.0\\.0\\.1:(\\d+) \\(http 127\\.0\\.0\\.1:(\\d+)\\).*")
                    .matcher(String.valueOf(first));
            assertThat(m.matches()).as("first line: %s", first).isTrue();
            int http = Integer.parseInt(m.group(2));

            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/healthz"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            p.destroy(); // SIGTERM: the launcher exec'd java, so the tracker itself gets it
            assertThat(p.waitFor(30, TimeUnit.SECONDS))
                    .as("stopped after SIGTERM")
                    .isTrue();
            List<String> rest = new ArrayList<>();
            for (String l; (l = readLine(stdout)) != null; ) rest.add(l);
            assertThat(rest).isEmpty();
            assertThat(data.resolve("tracker.db")).exists();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
