package io.egoist.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code target/egoist.jar} in a child process (test helper), optionally behind a prefix such as
 * {@code ip netns exec NS}: stdout and stderr are collected line by line, lines can be awaited, and the process
 * is stopped with SIGTERM (and killed by {@link #close()} if it is still there).
 */
final class JarProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "egoist.jar");

    final String name;
    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();

    private JarProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        pump(process.getInputStream(), out, name + "-out");
        pump(process.getErrorStream(), err, name + "-err");
    }

    /** Starts {@code prefix... java -jar target/egoist.jar args...}. */
    static JarProcess start(String name, List<String> prefix, String... args) throws IOException {
        if (!Files.isRegularFile(JAR))
            throw new IllegalStateException(JAR + " is missing: run the integration tests with `mvn verify`");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new JarProcess(name, new ProcessBuilder(cmd).start());
    }

    private void pump(InputStream in, List<String> into, String thread) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            synchronized (this) {
                                into.add(line);
                                notifyAll();
                            }
                        }
                    } catch (IOException ignored) {
                        // the process is gone
                    }
                },
                thread);
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** Waits for a stdout line matching {@code regex} and returns its match; fails with what the process said. */
    synchronized Matcher awaitOut(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long end = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            for (; seen < out.size(); seen++) {
                Matcher m = p.matcher(out.get(seen));
                if (m.matches()) return m;
            }
            long left = end - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && seen == out.size())) {
                throw new AssertionError(name + ": no stdout line matching " + regex + " (alive=" + process.isAlive()
                        + ")\nstdout: " + out + "\nstderr tail: " + tail(err, 15));
            }
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 500)));
        }
    }

    /** Sends SIGTERM and waits for the exit code. */
    int sigterm(Duration timeout) throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its stdout/stderr
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError(name + " did not stop within " + timeout + " after SIGTERM");
        for (Thread t : pumps) t.join(5000); // the last lines it wrote
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    synchronized List<String> stderr() {
        return List.copyOf(err);
    }

    synchronized List<String> stdout() {
        return List.copyOf(out);
    }

    static List<String> tail(List<String> lines, int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
