package io.egoist.tracker;

import io.egoist.cli.EgoistCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real CLI's {@code egoist tracker} in a child JVM (test helper); its stderr goes to a file. */
final class ChildTracker implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("egoist tracker listening on 127\\.0\\.0\\.1:(\\d+) .*");

    final Process process;
    final Path stderr;
    private final BufferedReader stdout;

    private ChildTracker(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code egoist tracker --port 0 --http-port -1 --bind 127.0.0.1 --data DIR extra...}. */
    static ChildTracker start(Path dataDir, Path stderr, String... extra) throws IOException {
        return start(List.of(), dataDir, stderr, extra);
    }

    /** As above, with options for the child JVM (e.g. {@code -DEGOIST_LOG_LEVEL=INFO}). */
    static ChildTracker start(List<String> jvm, Path dataDir, Path stderr, String... extra) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvm);
        cmd.addAll(List.of(
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
                dataDir.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start();
        return new ChildTracker(p, stderr);
    }

    /** The port from the first stdout line; fails with the child's stderr if it does not say where it listens. */
    int awaitPort() throws IOException {
        String line = stdout.readLine();
        Matcher m = LISTENING.matcher(String.valueOf(line));
        if (!m.matches()) throw new IOException("tracker did not start: " + line + "; stderr: " + stderrText());
        return Integer.parseInt(m.group(1));
    }

    String stderrText() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** {@code kill -9}. */
    void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill9();
    }
}
