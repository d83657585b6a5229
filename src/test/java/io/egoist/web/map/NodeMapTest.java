package io.egoist.web.map;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.web.ControlApi;
import io.egoist.web.events.SseClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's own live map on its control API, over real sockets: its view, its dead peers, its re-wirings. */
class NodeMapTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theNodeMapShowsTheNodesViewAndReportsADeadPeerAndTheRewiring() throws Exception {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LocalOverlay.Settings settings = new LocalOverlay.Settings()
                .matrix(ripe.subset(Demo.spreadOut(ripe, 3)))
                .k(2)
                .seed(5)
                .emulate(false);
        try (LocalOverlay overlay = LocalOverlay.start(settings);
                ControlApi control = ControlApi.start(overlay.node(0), "127.0.0.1", 0, null)) {
            String base = "http://127.0.0.1:" + control.port() + "/";
            HttpResponse<String> page = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<svg id=\"map\"");
            String self = overlay.node(0).id().toString(),
                    victim = overlay.node(2).id().toString();
            try (SseClient events = new SseClient(base + "api/events")) {
                JsonNode snap = JSON.readTree(events.next("snapshot").data());
                assertThat(snap.get("mode").asText()).isEqualTo("node");
                assertThat(snap.get("self").asText()).isEqualTo(self);
                assertThat(snap.get("nodes").get(0).get("id").asText()).isEqualTo(self);
                // wait until the node is wired to both others (it says so in an event about itself)
                while (true) {
                    JsonNode n = JSON.readTree(events.next("update", "join").data());
                    if (n.get("id").asText().equals(self) && n.get("links").size() == 2) break;
                }
                overlay.kill(2);
                boolean sawDead = false, sawRewire = false;
                List<String> seen = new ArrayList<>();
                while (!(sawDead && sawRewire)) {
                    SseClient.Event e = events.next();
                    seen.add(e.type());
                    assertThat(e.type()).as("events so far: %s", seen).isNotEqualTo("end");
                    JsonNode d = JSON.readTree(e.data());
                    if (e.type().equals("suspect") && d.get("id").asText().equals(victim)) {
                        assertThat(d.get("dead").asBoolean()).isTrue();
                        sawDead = true;
                    }
                    if (e.type().equals("rewire")) {
                        assertThat(d.get("id").asText()).isEqualTo(self);
                        if (toStrings(d.get("old")).contains(victim)
                                && !toStrings(d.get("new")).contains(victim)) {
                            sawRewire = true;
                        }
                    }
                }
            }
            HttpResponse<String> layout = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + "api/layout"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(layout.body()).get("positions").has(self)).isTrue();
        }
    }

    static List<String> toStrings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
