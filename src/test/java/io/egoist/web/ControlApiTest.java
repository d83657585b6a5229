package io.egoist.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.wire.NodeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The control API of node 0 of a small overlay (4 nodes, plain loopback), over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalOverlay overlay;
    private ControlApi api;
    private String base;
    private final List<EgoistNode.Received> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        LatencyMatrix m = LatencyMatrix.ripe().subset(0, 10, 20, 30);
        overlay = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(m)
                .k(2)
                .emulate(false)
                .tune(c -> c.withPingPeriodMs(1_000).withRewirePeriodMs(1_000)));
        overlay.node(3).onReceive(received::add);
        api = ControlApi.start(overlay.node(0), "127.0.0.1", 0, null);
        base = "http://127.0.0.1:" + api.port();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> overlay.node(0).routes().join().size() == 3
                        && overlay.node(3).routes().join().size() == 3);
    }

    @AfterAll
    void stop() {
        if (api != null) api.close();
        if (overlay != null) overlay.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String text) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.createObjectNode().put("text", text).toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void statusShowsIdPolicyNeighborsWithCostsKnownNodesAndOwnCost() throws Exception {
        HttpResponse<String> r = get("/status");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode s = JSON.readTree(r.body());
        assertThat(s.get("id").asText()).isEqualTo(overlay.node(0).id().toString());
        assertThat(s.get("policy").asText()).isEqualTo("br");
        assertThat(s.get("k").asInt()).isEqualTo(2);
        assertThat(s.get("known_nodes").asInt()).isEqualTo(3);
        assertThat(s.get("neighbors")).hasSize(2);
        for (JsonNode n : s.get("neighbors")) {
            assertThat(NodeId.parse(n.get("id").asText()))
                    .isIn(overlay.nodes().stream().map(EgoistNode::id).toList());
            assertThat(n.get("cost_ms").asDouble()).isGreaterThanOrEqualTo(0);
        }
        assertThat(s.get("own_cost_ms").asDouble()).isPositive();
    }

    @Test
    void routesListEveryDestinationWithNextHopPathAndCost() throws Exception {
        JsonNode body = JSON.readTree(get("/routes").body());
        assertThat(body.get("routes")).hasSize(3);
        List<RouteInfo> expected = overlay.node(0).routes().join();
        for (JsonNode r : body.get("routes")) {
            NodeId dst = NodeId.parse(r.get("destination").asText());
            RouteInfo e = expected.stream()
                    .filter(x -> x.destination().equals(dst))
                    .findFirst()
                    .orElseThrow();
            assertThat(r.get("next_hop").asText()).isEqualTo(e.nextHop().toString());
            assertThat(r.get("path").get(0).asText())
                    .isEqualTo(overlay.node(0).id().toString());
            assertThat(r.get("path").get(r.get("path").size() - 1).asText()).isEqualTo(dst.toString());
        }
    }

    @Test
    void routeToOneDestinationAndErrors() throws Exception {
        NodeId dst = overlay.node(2).id();
        HttpResponse<String> ok = get("/route?to=" + dst);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("destination").asText()).isEqualTo(dst.toString());
        HttpResponse<String> bad = get("/route?to=not-a-node");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("not-a-node");
        HttpResponse<String> missing = get("/route");
        assertThat(missing.statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = get("/route?to=10.1.2.3:4000");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("no route");
    }

    @Test
    void sendDeliversAndAnswersPathRouteCostAndRoundTrip() throws Exception {
        NodeId dst = overlay.node(3).id();
        HttpResponse<String> r = post("/send?to=" + dst, "hello over HTTP");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode b = JSON.readTree(r.body());
        assertThat(b.get("to").asText()).isEqualTo(dst.toString());
        assertThat(b.get("path").get(0).asText()).isEqualTo(overlay.node(0).id().toString());
        assertThat(b.get("path").get(b.get("path").size() - 1).asText()).isEqualTo(dst.toString());
        assertThat(b.get("rtt_ms").asDouble()).isPositive();
        assertThat(b.get("route_cost_ms").asDouble()).isPositive();
        assertThat(b.get("bytes").asInt()).isEqualTo("hello over HTTP".length());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> received.stream()
                        .anyMatch(m -> new String(m.payload(), StandardCharsets.UTF_8).equals("hello over HTTP")));
    }

    private static double neighborsLost(EgoistNode n) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?m)^egoist_node_neighbors_lost_total\\{[^}]*\\} ([0-9.]+)$")
                .matcher(n.scrapeMetrics().join());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void theMaximumPayloadTravelsInFragmentsArrivesWholeAndCostsNoNeighbor() throws Exception {
        double[] lostBefore = overlay.nodes().stream()
                .mapToDouble(ControlApiTest::neighborsLost)
                .toArray();
        byte[] payload = new byte[EgoistNode.MAX_PAYLOAD];
        new java.util.Random(7).nextBytes(payload);
        NodeId dst = overlay.node(3).id();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/send?to=" + dst))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                                .put("base64", java.util.Base64.getEncoder().encodeToString(payload))
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("bytes").asInt()).isEqualTo(EgoistNode.MAX_PAYLOAD);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> received.stream().anyMatch(m -> java.util.Arrays.equals(m.payload(), payload)));
        assertThat(received.stream().filter(m -> java.util.Arrays.equals(m.payload(), payload)))
                .hasSize(1);
        // a 20 KB message (two lines' worth) through the Java API too
        byte[] twenty = new byte[20_000];
        new java.util.Random(8).nextBytes(twenty);
        EgoistNode.SendResult res = overlay.node(1).send(dst, twenty).get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(res.path()).endsWith(dst);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> received.stream().anyMatch(m -> java.util.Arrays.equals(m.payload(), twenty)));
        double[] lostAfter = overlay.nodes().stream()
                .mapToDouble(ControlApiTest::neighborsLost)
                .toArray();
        assertThat(lostAfter).containsExactly(lostBefore);
    }

    @Test
    void badSendsAre400Or404WithAJsonError() throws Exception {
        assertThat(post("/send?to=" + overlay.node(3).id(), "").statusCode()).isEqualTo(400);
        assertThat(post("/send?to=" + overlay.node(0).id(), "to myself").statusCode())
                .isEqualTo(400);
        assertThat(post("/send?to=300.1.1.1:5", "x").statusCode()).isEqualTo(400);
        assertThat(post("/send", "x").statusCode()).isEqualTo(400);
        HttpResponse<String> noRoute = post("/send?to=10.1.2.3:4000", "x");
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(noRoute.body()).get("error").asText()).contains("10.1.2.3:4000");
        assertThat(get("/send?to=" + overlay.node(3).id()).statusCode()).isEqualTo(405);
    }

    @Test
    void metricsArePrometheusTextWithMessagesKnownNodesAndCost() throws Exception {
        post("/send?to=" + overlay.node(1).id(), "count me");
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        String text = r.body();
        assertThat(text)
                .contains("egoist_node_messages_total{")
                .contains("type=\"UPT\"")
                .contains("direction=\"out\"");
        assertThat(text).containsPattern("egoist_node_known_nodes\\{[^}]*\\} 3\\.0");
        assertThat(text).contains("egoist_node_own_cost_ms").contains("egoist_node_rewirings_total");
        assertThat(text).containsPattern("egoist_node_sends_total\\{[^}]*outcome=\"acked\"[^}]*\\} [1-9]");
    }
}
