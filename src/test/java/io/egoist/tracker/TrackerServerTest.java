package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Reassembler;
import io.egoist.wire.Seed;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The tracker on real sockets (loopback, ephemeral ports) spoken to by plain TCP clients. */
class TrackerServerTest {

    @TempDir
    Path dir;

    TrackerServer server;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        if (server != null) server.close();
    }

    /** These tests play many nodes (10.x ids) from 127.0.0.1: the source checks are tested in TrackerSourceCheckTest. */
    TrackerServer start(TrackerConfig config) {
        server = TrackerServer.start(config.withAllowForeignIds(true));
        return server;
    }

    TrackerServer start() {
        return start(TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withExpireAfterMs(600_000));
    }

    static NodeId id(int i) {
        return new NodeId("10.0." + (i / 250) + "." + (i % 250 + 1), 7000);
    }

    List<String> register(NodeId id) throws IOException {
        try (LineClient c = new LineClient(server.port())) {
            return c.send("REG@" + id).readReply();
        }
    }

    /** Sends a tracker-form UPT and returns what came back before the tracker closed the connection. */
    List<String> update(NodeId src, NodeId... dsts) throws IOException {
        StringBuilder sb = new StringBuilder("UPT");
        double cost = 12.5;
        for (NodeId d : dsts)
            sb.append('@')
                    .append(src)
                    .append('@')
                    .append(d)
                    .append('@')
                    .append(cost++)
                    .append('|');
        return LineClient.exchange(server.port(), sb.toString());
    }

    static Message.RegisterReply reassemble(List<String> lines) {
        Reassembler r = new Reassembler();
        Reassembler.Result res = null;
        for (String l : lines) res = r.acceptLine(l);
        assertThat(res).isInstanceOf(Reassembler.Done.class);
        return ((Reassembler.Done) res).reply();
    }

    static List<Link> allLinks(TrackerSnapshot s) {
        List<Link> all = new ArrayList<>();
        s.nodes().forEach(n -> all.addAll(n.links()));
        return all;
    }

    // ------------------------------------------------------------------------------ REG / UPT

    @Test
    void manyNodesRegisterAndEachReplyListsEveryoneSoFar() throws Exception {
        start();
        for (int i = 0; i < 100; i++) {
            List<String> reply = register(id(i));
            assertThat(reply).hasSize(1);
            assertThat(reassemble(reply).nodes()).hasSize(i + 1).endsWith(id(i));
        }
        assertThat(server.snapshot().nodeCount()).isEqualTo(100);
    }

    @Test
    void registrationConnectionStaysOpenAfterTheReply() throws Exception {
        start();
        try (LineClient c = new LineClient(server.port())) {
            assertThat(c.send("REG@" + id(1)).readReply()).containsExactly("REG@" + id(1) + "#");
            // still open: a second request on it is served
            assertThat(c.send("REG@" + id(1)).readReply()).containsExactly("REG@" + id(1) + "#");
        }
    }

    @Test
    void duplicateRegistrationGetsFullReply() throws Exception {
        start();
        register(id(1));
        register(id(2));
        update(id(1), id(2));
        assertThat(register(id(1)))
                .containsExactly("REG@10.0.0.2:7000@10.0.0.3:7000#@10.0.0.2:7000@10.0.0.3:7000@12.5|");
    }

    @Test
    void updateReplacesLinksAndIsClosedWithoutReply() throws Exception {
        start();
        for (int i = 1; i <= 3; i++) register(id(i));
        assertThat(update(id(1), id(2), id(3))).isEmpty();
        assertThat(update(id(1), id(3))).isEmpty();
        assertThat(update(id(2), id(1))).isEmpty();
        TrackerSnapshot s = server.snapshot();
        assertThat(s.node(id(1)).orElseThrow().links()).containsExactly(new Link(id(1), id(3), 12.5));
        assertThat(s.node(id(2)).orElseThrow().links()).containsExactly(new Link(id(2), id(1), 12.5));
        assertThat(reassemble(register(id(3))).links()).containsExactlyElementsOf(allLinks(s));
    }

    @Test
    void emptyLineClosesTheConnection() throws Exception {
        start();
        assertThat(LineClient.exchange(server.port(), "")).isEmpty();
    }

    @Test
    void segmentedReplyForMoreThan500NodesReassemblesToTheOverlay() throws Exception {
        start();
        int n = 600;
        for (int i = 0; i < n; i++) register(id(i));
        for (int i = 0; i < n; i++)
            update(id(i), id((i + 1) % n), id((i + 5) % n), id((i + 77) % n), id((i + 301) % n));
        List<String> lines = register(id(n));
        assertThat(lines.size()).isGreaterThan(10);
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(Seed.PKT_LIMIT));
        assertThat(lines.get(0)).startsWith("OVER@").endsWith("SEG");
        Message.RegisterReply reply = reassemble(lines);
        TrackerSnapshot s = server.snapshot();
        assertThat(reply.nodes()).containsExactlyElementsOf(s.ids()).hasSize(n + 1);
        assertThat(reply.links()).containsExactlyElementsOf(allLinks(s)).hasSize(4 * n);
    }

    @Test
    void manyConcurrentClientsAreAllServed() throws Exception {
        // 50 clients on one address, each reconnecting at once: closes the client has seen may still be counted
        // by the tracker, so the per-address cap (tested in TrackerConnectionDefencesTest) is lifted here
        server = TrackerServer.start(
                TrackerConfig.forTest(dir)
                        .withRemovePeriodMs(60_000)
                        .withExpireAfterMs(600_000)
                        .withAllowForeignIds(true),
                TrackerNetConfig.defaults().withMaxConnectionsPerAddress(1000));
        int threads = 50, updates = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(pool.submit(() -> {
                    assertThat(reassemble(register(id(me))).nodes()).contains(id(me));
                    for (int u = 0; u < updates; u++) {
                        assertThat(update(id(me), id((me + u + 1) % threads))).isEmpty();
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        TrackerSnapshot s = server.snapshot();
        assertThat(s.nodeCount()).isEqualTo(threads);
        for (int t = 0; t < threads; t++) {
            assertThat(s.node(id(t)).orElseThrow().links())
                    .containsExactly(new Link(id(t), id((t + updates) % threads), 12.5));
        }
        assertThat(server.counters().message("UPT")).isEqualTo((long) threads * updates);
    }

    // --------------------------------------------------------------------------------- removal

    @Test
    void suspectWhoseEchoAnswersStaysAndOneWhoseEchoIsDeadIsRemoved() throws Exception {
        start(TrackerConfig.forTest(dir)
                .withRemovePeriodMs(300)
                .withPingTimeoutMs(500)
                .withExpireAfterMs(600_000));
        EchoStub alive = EchoStub.answering();
        toClose.add(alive);
        NodeId dead = EchoStub.dead();
        register(alive.node());
        register(dead);
        update(alive.node(), dead);
        update(dead, alive.node());
        assertThat(LineClient.exchange(server.port(), "RMV@" + alive.node())).isEmpty();
        assertThat(LineClient.exchange(server.port(), "RMV@" + dead)).isEmpty();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.snapshot().node(dead).isEmpty());
        // the live node went through the same sweeps and stays, cleared, without its link to the dead one
        TrackerNode a = server.snapshot().node(alive.node()).orElseThrow();
        assertThat(a.suspect()).isFalse();
        assertThat(a.links()).isEmpty();
        assertThat(server.counters().removal(TrackerCore.CAUSE_DEAD_AFTER_RMV)).isEqualTo(1);
        assertThat(reassemble(register(alive.node())).nodes()).containsExactly(alive.node());
    }

    @Test
    void suspectThatAnswersIsClearedBeforeAnySweep() throws Exception {
        start(TrackerConfig.forTest(dir).withRemovePeriodMs(600_000).withPingTimeoutMs(2_000));
        CountDownLatch answer = new CountDownLatch(1);
        EchoStub alive = EchoStub.answeringOnceOpened(answer); // answers once the test has seen the suspect
        toClose.add(alive);
        register(alive.node());
        LineClient.exchange(server.port(), "RMV@" + alive.node());
        // the RMV was taken (its close came after the suspect flag was stored): suspect now, probe out
        assertThat(server.snapshot().node(alive.node()).orElseThrow().suspect()).isTrue();
        answer.countDown();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !server.snapshot().node(alive.node()).orElseThrow().suspect());
        assertThat(server.counters().removals()).isEmpty();
    }

    @Test
    void laterUpdateCancelsRemove() throws Exception {
        // the echo port accepts but never answers: every probe times out after the ping timeout
        start(TrackerConfig.forTest(dir)
                .withRemovePeriodMs(300)
                .withPingTimeoutMs(1_500)
                .withExpireAfterMs(600_000));
        EchoStub silent = EchoStub.silent();
        toClose.add(silent);
        NodeId other = id(1);
        register(silent.node());
        register(other);
        LineClient.exchange(server.port(), "RMV@" + silent.node());
        assertThat(server.snapshot().node(silent.node()).orElseThrow().suspect())
                .isTrue();
        assertThat(update(silent.node(), other)).isEmpty();
        assertThat(server.snapshot().node(silent.node()).orElseThrow().suspect())
                .isFalse();
        // several sweeps and probe timeouts later it is still there
        Thread.sleep(2_500);
        TrackerNode n = server.snapshot().node(silent.node()).orElseThrow();
        assertThat(n.suspect()).isFalse();
        assertThat(n.links()).containsExactly(new Link(silent.node(), other, 12.5));
    }

    @Test
    void suspectWhoseEchoNeverAnswersIsRemovedAfterTheProbeTimeout() throws Exception {
        start(TrackerConfig.forTest(dir)
                .withRemovePeriodMs(200)
                .withPingTimeoutMs(300)
                .withExpireAfterMs(600_000));
        EchoStub silent = EchoStub.silent();
        toClose.add(silent);
        register(silent.node());
        LineClient.exchange(server.port(), "RMV@" + silent.node());
        await().atMost(Duration.ofSeconds(10)).until(() -> server.snapshot().nodeCount() == 0);
    }

    @Test
    void silentNodesExpire() throws Exception {
        start(TrackerConfig.forTest(dir).withRemovePeriodMs(100).withExpireAfterMs(700));
        register(id(1));
        register(id(2));
        update(id(2), id(1));
        long deadline = System.currentTimeMillis() + 10_000;
        // keep node 2 alive with REGs (a UPT naming node 1 could race with its removal and add the link back)
        // while node 1 stays silent; its echo port does not exist, so its expiry probe fails
        while (server.snapshot().node(id(1)).isPresent() && System.currentTimeMillis() < deadline) {
            register(id(2));
            Thread.sleep(50);
        }
        TrackerSnapshot s = server.snapshot();
        assertThat(s.ids()).containsExactly(id(2));
        assertThat(s.node(id(2)).orElseThrow().links()).isEmpty();
        assertThat(server.counters().removal(TrackerCore.CAUSE_EXPIRED)).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------- restart

    @Test
    void restartedTrackerServesTheSameOverlayAtOnce() throws Exception {
        start();
        for (int i = 0; i < 20; i++) register(id(i));
        for (int i = 0; i < 20; i++) update(id(i), id((i + 1) % 20), id((i + 2) % 20));
        LineClient.exchange(server.port(), "RMV@" + id(3)); // a suspect (its echo port is unreachable)
        TrackerSnapshot before = server.snapshot();
        server.close();

        start();
        assertThat(server.snapshot()).isEqualTo(before);
        assertThat(reassemble(register(id(0)))).isEqualTo(new Message.RegisterReply(before.ids(), allLinks(before)));
    }

    @Test
    void restartedTrackerExpiresNodesByTheirPersistedLastSeen() throws Exception {
        long longAgo = System.currentTimeMillis() - 3_600_000;
        try (TrackerStore store = TrackerStore.open(dir).start()) {
            store.accept(new TrackerEffect.PersistNode(
                    new TrackerNode(id(1), longAgo, false, List.of(new Link(id(1), id(2), 5)))));
        }
        start(TrackerConfig.forTest(dir).withRemovePeriodMs(200).withExpireAfterMs(60_000));
        assertThat(reassemble(register(id(2))).links()).containsExactly(new Link(id(1), id(2), 5)); // served at once
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.snapshot().node(id(1)).isEmpty());
        assertThat(server.snapshot().ids()).containsExactly(id(2));
        server.close();
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load().ids()).containsExactly(id(2));
        }
    }

    // -------------------------------------------------------------------------------- bad input

    static Stream<String> badLines() {
        return Stream.of(
                "hello",
                "FOO@10.0.0.2:7000",
                "TRD@",
                "REG@10.0.0.300:7000",
                "REG@10.0.0.2:70000",
                "REG@10.0.0.2:port",
                "REG@localhost:7000",
                "RMV@10.0.0.2",
                "UPT@10.0.0.2:7000@10.0.0.3:7000@-5|",
                "UPT@10.0.0.2:7000@10.0.0.3:7000@NaN|",
                "UPT@10.0.0.2:7000@10.0.0.3:7000@inf|",
                "UPT@10.0.0.2:7000@10.0.0.3:7000@fast|",
                "UPT@10.0.0.2:7000@10.0.0.3:7000@5|@10.0.0.3:7000@10.0.0.2:7000@5|",
                "UPT@10.0.0.99:7000@10.0.0.2:7000@5|",
                "x".repeat(Seed.MAX_LENGTH + 100));
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("badLines")
    void badInputGetsNackAndCloseStateUnchangedOthersServed(String bad) throws Exception {
        start();
        register(id(1));
        register(id(2));
        update(id(1), id(2));
        try (LineClient other = new LineClient(server.port())) {
            TrackerSnapshot before = server.snapshot();
            List<String> got = LineClient.exchange(server.port(), bad);
            assertThat(got).hasSize(1);
            assertThat(got.get(0)).startsWith("NACK@").hasSizeGreaterThan(5);
            assertThat(server.snapshot()).isEqualTo(before);
            // a client connected before and one connecting after are both served
            assertThat(other.send("REG@" + id(3)).readReply()).hasSize(1);
            assertThat(register(id(4))).hasSize(1);
        }
        assertThat(server.counters().nacks().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------ HTTP

    @Test
    void httpServesOverlayHealthAndMetrics() throws Exception {
        start();
        register(id(1));
        register(id(2));
        update(id(1), id(2));
        LineClient.exchange(server.port(), "UPT@10.0.0.2:7000@10.0.0.3:7000@-1|");
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.httpPort();

        HttpResponse<String> overlay = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/overlay")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(overlay.statusCode()).isEqualTo(200);
        JsonNode json = new ObjectMapper().readTree(overlay.body());
        assertThat(json.get("node_count").asInt()).isEqualTo(2);
        assertThat(json.get("link_count").asInt()).isEqualTo(1);
        JsonNode n1 = json.get("nodes").get(0);
        assertThat(n1.get("id").asText()).isEqualTo("10.0.0.2:7000");
        assertThat(n1.get("suspect").asBoolean()).isFalse();
        assertThat(n1.get("last_seen").asLong())
                .isEqualTo(server.snapshot().node(id(1)).orElseThrow().lastSeenMs());
        assertThat(n1.get("links").get(0).get("dst").asText()).isEqualTo("10.0.0.3:7000");
        assertThat(n1.get("links").get(0).get("cost").asDouble()).isEqualTo(12.5);

        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(health.body()).get("status").asText())
                .isEqualTo("ok");

        System.gc(); // gauges must not lose their objects to GC (Micrometer holds them weakly)
        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("egoist_tracker_nodes 2.0")
                .contains("egoist_tracker_links 1.0")
                .contains("egoist_tracker_messages_total{type=\"REG\"} 2.0")
                .contains("egoist_tracker_messages_total{type=\"UPT\"} 1.0")
                .contains("egoist_tracker_nacks_total{reason=\"bad-cost\"} 1.0")
                .contains("egoist_tracker_removals_total{cause=\"expired\"} 0.0")
                .containsPattern("egoist_tracker_store_pending [0-9]")
                .doesNotContain("NaN");
    }

    // ---------------------------------------------------------------------------------- shutdown

    @Test
    void closeWritesEveryChangeToTheDatabase() throws Exception {
        start(TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withExpireAfterMs(600_000));
        for (int i = 0; i < 30; i++) register(id(i));
        update(id(7), id(8));
        TrackerSnapshot before = server.snapshot();
        server.close();
        try (TrackerStore store = TrackerStore.open(dir)) {
            assertThat(store.load()).isEqualTo(before);
        }
    }

    static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
