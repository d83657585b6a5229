package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /api/overlay comes from an immutable snapshot built off the protocol thread, with ETag / 304 and gzip; the
 * protocol thread keeps answering REGs while an HTTP client holds a slow read; HTTP binds to loopback by default.
 */
class TrackerOverlayHttpTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    TrackerServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
    }

    TrackerConfig config() {
        return TrackerConfig.forTest(dir)
                .withRemovePeriodMs(600_000)
                .withExpireAfterMs(3_600_000)
                .withAllowForeignIds(true); // 10.x ids played from 127.0.0.1
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void overlayIsBuiltOffTheLoopAndServedWithEtag304AndGzip() throws Exception {
        server = TrackerServer.start(config(), TrackerNetConfig.defaults().withOverlayMinIntervalMs(60_000));
        try (LineClient c = new LineClient(server.port())) {
            c.send("REG@10.0.0.1:7000").readReply();
        }
        LineClient.exchange(server.port(), "UPT@10.0.0.1:7000@10.0.0.2:7000@35.2|");

        HttpResponse<byte[]> plain = get("/api/overlay");
        assertThat(plain.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(plain.body());
        assertThat(body.get("node_count").asInt()).isEqualTo(1);
        assertThat(body.get("nodes").get(0).get("links").get(0).get("cost").asDouble())
                .isEqualTo(35.2);
        String etag = plain.headers().firstValue("etag").orElseThrow();

        OverlaySnapshots.Published p = server.overlaySnapshots().get().get();
        assertThat(p.builtOn).isEqualTo(OverlaySnapshots.BUILDER_THREAD);
        assertThat(Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals(p.builtOn))
                        .findAny())
                .isPresent();
        assertThat(p.builtOn).doesNotStartWith("tracker-1-"); // not the protocol loop

        // the same snapshot again (within the interval): not rebuilt; If-None-Match -> 304 without a body
        HttpResponse<byte[]> again = get("/api/overlay", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(server.overlaySnapshots().builds()).isEqualTo(1);

        // gzip when asked: the same document
        HttpResponse<byte[]> gz = get("/api/overlay", "Accept-Encoding", "gzip");
        assertThat(gz.statusCode()).isEqualTo(200);
        assertThat(gz.headers().firstValue("content-encoding")).contains("gzip");
        byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes();
        assertThat(unzipped).isEqualTo(plain.body());
        assertThat(get("/api/overlay", "Accept-Encoding", "gzip;q=0").headers().firstValue("content-encoding"))
                .isEmpty();
    }

    @Test
    void overlayBodiesBeyondTheByteBudgetGet503WithRetryAfterWhile304sStillPass() throws Exception {
        // 1 byte/s: the first document passes (the budget starts full), the next would wait far beyond 10 s
        server = TrackerServer.start(
                config(),
                TrackerNetConfig.defaults().withOverlayMinIntervalMs(60_000).withOverlayBytesPerSecond(1));
        try (LineClient c = new LineClient(server.port())) {
            c.send("REG@10.0.0.1:7000").readReply();
        }
        HttpResponse<byte[]> first = get("/api/overlay");
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("etag").orElseThrow();

        HttpResponse<byte[]> second = get("/api/overlay");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(new String(second.body(), StandardCharsets.UTF_8)).contains("overlay reads over budget");
        assertThat(Long.parseLong(second.headers().firstValue("retry-after").orElseThrow()))
                .isPositive();
        // a client that has the document costs nothing: 304 whatever the budget
        assertThat(get("/api/overlay", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(server.overlaySnapshots().budget().counts()[1]).isEqualTo(1); // one refused
        assertThat(server.scrapeMetrics()).contains("egoist_tracker_http_overlay_refused_total 1.0");
        // the line port is not affected
        try (LineClient c = new LineClient(server.port())) {
            assertThat(c.send("REG@10.0.0.2:7000").readReply()).isNotEmpty();
        }
    }

    @Test
    void snapshotIsRebuiltAfterTheIntervalAndAChangeGetsANewEtag() throws Exception {
        server = TrackerServer.start(config(), TrackerNetConfig.defaults().withOverlayMinIntervalMs(0));
        String first = get("/api/overlay").headers().firstValue("etag").orElseThrow();
        // nothing changed: rebuilt (interval 0) but the same bytes and ETag
        assertThat(get("/api/overlay").headers().firstValue("etag")).contains(first);
        try (LineClient c = new LineClient(server.port())) {
            c.send("REG@10.0.0.1:7000").readReply();
        }
        HttpResponse<byte[]> changed = get("/api/overlay", "If-None-Match", first);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("etag")).isNotEqualTo(Optional.of(first));
        assertThat(JSON.readTree(changed.body()).get("node_count").asInt()).isEqualTo(1);
    }

    @Test
    void aRegIsAnsweredWhileAnHttpClientHoldsASlowReadOfTheOverlay() throws Exception {
        BigOverlay.write(dir, 10_000, System.currentTimeMillis());
        server = TrackerServer.start(config());
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(1024);
            slow.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            slow.getOutputStream()
                    .write("GET /api/overlay HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // the first bytes of a 10,000-node document arrive; the rest waits for a reader who does not read
            slow.setSoTimeout(30_000);
            assertThat(slow.getInputStream().read(new byte[16])).isPositive();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.overlaySnapshots().builds() >= 1);

            try (LineClient c = new LineClient(server.port())) {
                List<String> reply = c.send("REG@10.200.0.1:7000").readReply();
                assertThat(reply.get(0)).startsWith("OVER@");
                assertThat(reply.get(reply.size() - 1)).startsWith("NET@");
            }
            LineClient.exchange(server.port(), "UPT@10.200.0.1:7000@10.0.0.1:7000@1|");
            assertThat(server.snapshot().node(BigOverlay.id(0))).isPresent();
            assertThat(server.snapshot().nodeCount()).isEqualTo(10_001);
        }
    }

    @Test
    void httpListensOnLoopbackByDefaultWhileTheLinePortFollowsBind() throws Exception {
        InetAddress external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (IOException e) {
                        return false;
                    }
                })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address)
                .findFirst()
                .orElse(null);
        assumeThat(external)
                .as("needs a non-loopback IPv4 address on this machine to tell loopback-only from all addresses")
                .isNotNull();
        server = TrackerServer.start(config().withBindHost("0.0.0.0"));
        assertThat(server.netConfig().httpBind()).isEqualTo("127.0.0.1");
        // the line port answers on the external address, HTTP does not
        try (Socket line = new Socket()) {
            line.connect(new InetSocketAddress(external, server.port()), 5000);
        }
        try (Socket h = new Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> h.connect(new InetSocketAddress(external, server.httpPort()), 5000))
                    .isInstanceOf(ConnectException.class);
        }
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void httpCapAndIdleTimeoutApplyToTheTrackersHttpPort() throws Exception {
        server = TrackerServer.start(
                config(), TrackerNetConfig.defaults().withHttpMaxConnections(1).withHttpIdleTimeoutMs(300));
        try (Socket idle = new Socket()) {
            idle.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            idle.setSoTimeout(10_000);
            assertThat(idle.getInputStream().read()).isEqualTo(-1); // closed after the idle timeout
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.httpCounts()[0] == 0);
        try (Socket holder = new Socket();
                Socket refused = new Socket()) {
            holder.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.httpCounts()[0] == 1);
            refused.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            refused.setSoTimeout(10_000);
            String r = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r).startsWith("HTTP/1.1 503");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.httpCounts()[0] == 0);
        try (Socket bad = new Socket()) { // a raw request: HTTP clients refuse to send a bad escape
            bad.connect(new InetSocketAddress("127.0.0.1", server.httpPort()), 5000);
            bad.setSoTimeout(10_000);
            bad.getOutputStream()
                    .write("GET /api/overlay?x=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String r = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r).startsWith("HTTP/1.1 400").contains("bad request URI");
        }
    }
}
