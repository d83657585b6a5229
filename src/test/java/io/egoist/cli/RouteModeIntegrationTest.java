package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeStatus;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.web.ControlApi;
import io.egoist.wire.NodeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Routing modes on real sockets: 7 nodes on loopback with 7 RIPE countries' latencies emulated, k = 2, so most
 * destinations are not neighbors. A message sent in mode best whose first hop is not a neighbor goes over a direct
 * link and is delivered and acknowledged; the control API and the CLI show both modes and refuse a bad one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteModeIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 7;
    private LocalOverlay overlay;
    private ControlApi api;
    private String control;
    private final List<EgoistNode.Received> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        overlay = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(ripe.subset(Demo.spreadOut(ripe, N)))
                .k(2)
                .seed(3)
                .tune(c -> c.withPingPeriodMs(1_000).withRewirePeriodMs(1_500).withTrackerRefreshMs(2_000)));
        for (EgoistNode n : overlay.nodes()) n.onReceive(received::add);
        api = ControlApi.start(overlay.node(0), "127.0.0.1", 0, null);
        control = "127.0.0.1:" + api.port();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(this::everyoneRoutesBoth);
    }

    @AfterAll
    void stop() {
        if (api != null) api.close();
        if (overlay != null) overlay.close();
    }

    private boolean everyoneRoutesBoth() {
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                if (i == j) continue;
                NodeId to = overlay.node(j).id();
                for (RouteMode m : RouteMode.values())
                    if (overlay.node(i).route(to, m).join().isEmpty()) return false;
                if (Double.isNaN(
                        overlay.node(i).route(to, RouteMode.BEST).join().get().directCost())) return false;
            }
        }
        return true;
    }

    private List<NodeId> neighborsOf(int i) {
        NodeStatus s = overlay.node(i).status().join();
        return s.neighbors().stream().map(NodeStatus.Neighbor::node).toList();
    }

    private NodeId bestNextHop(int source, NodeId to) {
        return overlay.node(source)
                .route(to, RouteMode.BEST)
                .join()
                .orElseThrow()
                .nextHop();
    }

    /** A source and a best route of it whose first hop is not a neighbor (a relay first if there is one). */
    private record Pick(int source, Route route) {}

    private Optional<Pick> pickNonNeighborFirstHop(int onlySource) {
        Pick fallback = null;
        for (int i = 0; i < N; i++) {
            if (onlySource >= 0 && i != onlySource) continue;
            List<NodeId> nb = neighborsOf(i);
            for (int j = 0; j < N; j++) {
                if (i == j) continue;
                Route r = overlay.node(i)
                        .route(overlay.node(j).id(), RouteMode.BEST)
                        .join()
                        .orElseThrow();
                if (nb.contains(r.nextHop())) continue;
                if (r.path().size() > 2) return Optional.of(new Pick(i, r));
                if (fallback == null) fallback = new Pick(i, r);
            }
        }
        return Optional.ofNullable(fallback);
    }

    @Test
    void dataInBestModeViaANonNeighborFirstHopIsDeliveredAndAcknowledged() throws Exception {
        Pick p = pickNonNeighborFirstHop(-1)
                .orElseThrow(() -> new AssertionError("no best route with a non-neighbor first hop"));
        Route r = p.route();
        assertThat(r.viaOutLink()).isFalse();
        assertThat(r.cost()).isLessThanOrEqualTo(r.directCost());
        // both modes read in one turn of the node's loop, so from the same measurements (RTTs move under load)
        Route[] both = overlay.node(p.source())
                .query(c -> new Route[] {
                    c.route(r.destination(), RouteMode.BEST).orElseThrow(),
                    c.route(r.destination(), RouteMode.OVERLAY).orElseThrow()
                })
                .join();
        assertThat(both[0].cost()).isLessThanOrEqualTo(both[1].cost() + 1e-6);
        byte[] payload = ("best mode from " + p.source()).getBytes(StandardCharsets.UTF_8);
        NodeId hopBefore = bestNextHop(p.source(), r.destination());
        EgoistNode.SendResult res = overlay.node(p.source())
                .send(r.destination(), payload, RouteMode.BEST)
                .get(30, TimeUnit.SECONDS);
        NodeId hopAfter = bestNextHop(p.source(), r.destination());
        assertThat(res.path()).first().isEqualTo(overlay.node(p.source()).id());
        if (hopBefore.equals(r.nextHop()) && hopAfter.equals(r.nextHop()))
            assertThat(res.path().get(1)).isEqualTo(r.nextHop()); // left over the direct link
        else assertThat(res.path().get(1)).isIn(hopBefore, hopAfter);
        assertThat(res.path()).last().isEqualTo(r.destination());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> received.stream()
                        .anyMatch(m -> m.from().equals(overlay.node(p.source()).id())
                                && java.util.Arrays.equals(m.payload(), payload)));
        // a second message reuses the link and arrives the same way
        NodeId before = bestNextHop(p.source(), r.destination());
        EgoistNode.SendResult again = overlay.node(p.source())
                .send(r.destination(), "again".getBytes(StandardCharsets.UTF_8), RouteMode.BEST)
                .get(30, TimeUnit.SECONDS);
        NodeId after = bestNextHop(p.source(), r.destination());
        // the best route may move with the measurements between two sends; while it stays, the link is reused
        if (before.equals(r.nextHop()) && after.equals(r.nextHop()))
            assertThat(again.path().get(1)).isEqualTo(r.nextHop());
        else assertThat(again.path().get(1)).isIn(before, after);
        // the same destination in overlay mode leaves over an out-link
        EgoistNode.SendResult over = overlay.node(p.source())
                .send(r.destination(), "overlay".getBytes(StandardCharsets.UTF_8), RouteMode.OVERLAY)
                .get(30, TimeUnit.SECONDS);
        assertThat(neighborsOf(p.source())).contains(over.path().get(1));
    }

    @Test
    void routeShowsEitherModeAndTheApiAndCliRefuseABadMode() throws Exception {
        String dst = pickNonNeighborFirstHop(0)
                .map(p -> p.route().destination().toString())
                .orElse(overlay.node(N - 1).id().toString());
        Cli.Run best = Cli.run("route", "--control", control, "--to", dst, "--mode", "best");
        assertThat(best.exit()).as(best.err()).isZero();
        assertThat(best.out())
                .startsWith(dst)
                .contains("mode best")
                .contains("direct")
                .contains("first hop over");
        Cli.Run json = Cli.run("route", "--control", control, "--to", dst, "--mode", "overlay", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode o = JSON.readTree(json.out());
        assertThat(o.get("mode").asText()).isEqualTo("overlay");
        assertThat(o.get("first_hop").asText()).isEqualTo("out-link");
        JsonNode b = JSON.readTree(Cli.run("route", "--control", control, "--to", dst, "--mode", "BEST", "--json")
                .out());
        assertThat(b.get("cost_ms").asDouble())
                .isLessThanOrEqualTo(b.get("direct_ms").asDouble());
        assertThat(b.get("cost_ms").asDouble())
                .isLessThanOrEqualTo(o.get("cost_ms").asDouble() + 0.01);

        Cli.Run bad = Cli.run("route", "--control", control, "--to", dst, "--mode", "fastest");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("egoist route: --mode: mode must be best or overlay, not 'fastest'");
        Cli.Run noTo = Cli.run("route", "--control", control, "--mode", "best");
        assertThat(noTo.exit()).isEqualTo(2);
        assertThat(noTo.err().strip()).isEqualTo("egoist route: --mode needs --to");
        Cli.Run badSend = Cli.run("send", "--control", control, "--to", dst, "--mode", "x", "hi");
        assertThat(badSend.exit()).isEqualTo(2);
        assertThat(badSend.err().strip()).doesNotContain("\n").startsWith("egoist send: --mode:");

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://" + control + "/route?to=" + dst + "&mode=fastest"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("mode must be best or overlay");

        Cli.Run sent = Cli.run("send", "--control", control, "--to", dst, "--mode", "best", "hello best");
        assertThat(sent.exit()).as(sent.err()).isZero();
        assertThat(sent.out()).startsWith("delivered to " + dst);
    }
}
