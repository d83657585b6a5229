package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.cli.Cli.Run;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code egoist node --control-max-connections N --control-idle-timeout SECONDS}: bad values through the real CLI
 * (one line, exit 2), and, with a real node, the cap answering 503 over real sockets and the idle timeout closing
 * a silent connection.
 */
class NodeControlLimitsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--control-max-connections|0|--control-max-connections must be 1..100000, not 0",
                "--control-max-connections|-5|--control-max-connections must be 1..100000, not -5",
                "--control-max-connections|100001|--control-max-connections must be 1..100000, not 100001",
                "--control-idle-timeout|0|--control-idle-timeout must be 0.001..86400 seconds, not 0.0",
                "--control-idle-timeout|-1|--control-idle-timeout must be 0.001..86400 seconds, not -1.0",
                "--control-idle-timeout|NaN|--control-idle-timeout must be 0.001..86400 seconds, not NaN",
                "--control-idle-timeout|1e9|--control-idle-timeout must be 0.001..86400 seconds, not 1.0E9"
            })
    void badValuesAreOneLineAndExit2(String option, String value, String message) {
        Run r = run("node", "--tracker", "127.0.0.1:1", "--port", "0", "--control-port", "0", option, value);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("egoist node: " + message);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void notANumberIsOneLineAndExit2() {
        Run r = run("node", "--tracker", "127.0.0.1:1", "--control-max-connections", "many");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse(""))
                .contains("--control-max-connections")
                .contains("many");
    }

    @Test
    void theCapBitesWith503AndAnIdleConnectionIsClosed(@TempDir Path dir) throws Exception {
        try (TrackerServer t = TrackerServer.start(TrackerConfig.forTest(dir.resolve("tracker")))) {
            StringWriter out = new StringWriter();
            CompletableFuture<Run> node = CompletableFuture.supplyAsync(() -> run(
                    out,
                    "node",
                    "--tracker",
                    "127.0.0.1:" + t.port(),
                    "--port",
                    "0",
                    "--control-port",
                    "0",
                    "--control-max-connections",
                    "2",
                    "--control-idle-timeout",
                    "1.5",
                    "--run-for",
                    "20"));
            Pattern p = Pattern.compile("control=127\\.0\\.0\\.1:(\\d+)");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> p.matcher(out.toString()).find() || node.isDone());
            Matcher m = p.matcher(out.toString());
            assertThat(m.find()).as("node output: %s", out).isTrue();
            int port = Integer.parseInt(m.group(1));

            try (Socket a = connect(port);
                    Socket b = connect(port)) {
                // both held open without a request; the third connection is over the cap
                try (Socket c = connect(port)) {
                    String answer = readAll(c.getInputStream());
                    assertThat(answer).startsWith("HTTP/1.1 503");
                    assertThat(answer.strip()).endsWith("{\"error\":\"too many HTTP connections (2)\",\"status\":503}");
                }
                // the two silent connections are closed by the idle timeout (the server ends the stream)
                assertThat(readAll(a.getInputStream())).isEmpty();
                assertThat(readAll(b.getInputStream())).isEmpty();
            }
            // with the slots free again, a request is served
            await().untilAsserted(() -> {
                try (Socket s = connect(port)) {
                    s.getOutputStream()
                            .write(("GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    assertThat(readAll(s.getInputStream())).startsWith("HTTP/1.1 200");
                }
            });
            Run done = node.get(60, java.util.concurrent.TimeUnit.SECONDS); // --run-for ends it
            assertThat(done.exit()).as(done.err()).isZero();
        }
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(20_000);
        return s;
    }

    /** Everything until the server closes the connection (fails on a 20 s read timeout). */
    private static String readAll(InputStream in) throws Exception {
        try {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        }
    }
}
