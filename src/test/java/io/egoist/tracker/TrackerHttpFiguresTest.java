package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthz} and {@code /metrics} never need the protocol thread, and the tracker's limits are counted in
 * {@code /metrics}: a real tracker, real sockets, real HTTP.
 */
class TrackerHttpFiguresTest {

    @TempDir
    Path dir;

    TrackerServer server;
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        if (server != null) server.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** A GET on its own connection, closed after the answer (the cap in the limits test counts every open one). */
    String getClosing(String path) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String r = readAll(s.getInputStream());
            assertThat(r).startsWith("HTTP/1.1 200");
            return r;
        }
    }

    @Test
    void healthzAndMetricsAnswerWhileTheProtocolThreadIsHeld() throws Exception {
        server = TrackerServer.start(
                TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withExpireAfterMs(600_000));
        String a = "127.0.0.1:7000", b = "127.0.0.1:7002";
        assertThat(LineClient.exchangeReply(server.port(), "REG@" + a).get(0)).startsWith("REG@");
        assertThat(LineClient.exchangeReply(server.port(), "REG@" + b).get(0)).startsWith("REG@");
        assertThat(LineClient.exchange(server.port(), "UPT@" + a + "@" + b + "@4|"))
                .isEmpty();
        // a report makes b a suspect (its echo port is closed, so it stays one until the sweep, a minute away)
        assertThat(LineClient.exchange(server.port(), "RMV@" + b)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::suspectCount) == 1);

        // hold the protocol thread: a read of the core that waits for the test
        CountDownLatch entered = new CountDownLatch(1);
        CompletableFuture<Integer> held = server.queryAsync(c -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return c.nodeCount();
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = new ObjectMapper().readTree(health.body());
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.get("nodes").asInt()).isEqualTo(2);
        assertThat(h.get("links").asInt()).isEqualTo(1);
        assertThat(h.get("suspects").asInt()).isEqualTo(1);

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("egoist_tracker_nodes 2.0")
                .contains("egoist_tracker_links 1.0")
                .contains("egoist_tracker_suspects 1.0")
                .contains("egoist_tracker_messages_total{type=\"REG\"} 2.0")
                .contains("egoist_tracker_messages_total{type=\"RMV\"} 1.0");
        // both answered while the protocol thread was still held
        assertThat(held).isNotDone();

        release.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void theLimitsAreCountedInMetrics() throws Exception {
        server = TrackerServer.start(
                TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withExpireAfterMs(600_000),
                TrackerNetConfig.defaults()
                        .withMaxConnectionsPerAddress(1)
                        .withFirstLineTimeoutMs(2_000) // long enough that the second connects first
                        .withHttpMaxConnections(1));
        String before = getClosing("/metrics");
        // every limit is exported from the start, at 0
        assertThat(before)
                .contains("egoist_tracker_address_cap_refused_total 0.0")
                .contains("egoist_tracker_first_line_timeouts_total 0.0")
                .contains("egoist_tracker_stalled_closes_total 0.0")
                .contains("egoist_tracker_http_refused_total 0.0")
                .contains("egoist_tracker_http_idle_closes_total 0.0")
                .contains("egoist_tracker_store_failing 0.0")
                .contains("egoist_tracker_store_failed_writes_total 0.0")
                .contains("egoist_tracker_nacks_total{reason=\"busy\"} 0.0")
                .contains("egoist_tracker_nacks_total{reason=\"reg-rate\"} 0.0");

        try (Socket silent = new Socket();
                Socket second = new Socket()) {
            silent.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            silent.setSoTimeout(10_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 1);
            second.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000); // over the cap of 1
            second.setSoTimeout(10_000);
            assertThat(readAll(second.getInputStream())).startsWith("NACK@busy");
            assertThat(readAll(silent.getInputStream())).startsWith("NACK@timeout"); // no line within 2 s
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.guardCounts()[1] == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.httpCounts()[0] == 0);
        try (Socket holder = new Socket();
                Socket refused = new Socket()) {
            holder.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.httpCounts()[0] == 1);
            refused.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            refused.setSoTimeout(10_000);
            assertThat(readAll(refused.getInputStream())).startsWith("HTTP/1.1 503");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.httpCounts()[0] == 0);
        assertThat(getClosing("/metrics"))
                .contains("egoist_tracker_address_cap_refused_total 1.0")
                .contains("egoist_tracker_first_line_timeouts_total 1.0")
                .contains("egoist_tracker_http_refused_total 1.0");
    }

    static String readAll(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
