package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.web.events.SseClient;
import io.egoist.wire.NodeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracker's live map over real sockets: the event stream follows REG, UPT and RMV; the page and layout. */
class TrackerLiveMapTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    TrackerServer server;
    SseClient events;
    EchoStub alive;

    @AfterEach
    void tearDown() throws Exception {
        if (events != null) events.close();
        if (alive != null) alive.close();
        if (server != null) server.close();
    }

    void register(NodeId id) throws Exception {
        try (LineClient c = new LineClient(server.port())) {
            c.send("REG@" + id).readReply();
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.httpPort();
    }

    static JsonNode json(SseClient.Event e) throws Exception {
        return JSON.readTree(e.data());
    }

    @Test
    void eventsFollowJoinUpdateSuspectAndRemoveInOrder() throws Exception {
        server = TrackerServer.start(TrackerConfig.forTest(dir)
                .withAllowForeignIds(true)
                .withRemovePeriodMs(300)
                .withPingTimeoutMs(500)
                .withExpireAfterMs(600_000));
        NodeId first = new NodeId("10.0.0.1", 7000);
        register(first);
        events = new SseClient(base() + "/api/events");
        JsonNode snap = json(events.next("snapshot"));
        assertThat(snap.get("mode").asText()).isEqualTo("tracker");
        assertThat(snap.get("nodes")).hasSize(1);
        assertThat(snap.get("nodes").get(0).get("id").asText()).isEqualTo(first.toString());

        alive = EchoStub.answering();
        NodeId dead = EchoStub.dead();
        register(alive.node());
        register(dead);
        SseClient.Event j1 = events.next();
        SseClient.Event j2 = events.next();
        assertThat(j1.type()).isEqualTo("join");
        assertThat(json(j1).get("id").asText()).isEqualTo(alive.node().toString());
        assertThat(j2.type()).isEqualTo("join");
        assertThat(json(j2).get("id").asText()).isEqualTo(dead.toString());

        LineClient.exchange(
                server.port(), "UPT@" + alive.node() + "@" + dead + "@42.5|@" + alive.node() + "@" + first + "@7.0|");
        SseClient.Event u = events.next();
        assertThat(u.type()).isEqualTo("update");
        JsonNode un = json(u);
        assertThat(un.get("id").asText()).isEqualTo(alive.node().toString());
        assertThat(un.get("links")).hasSize(2);
        assertThat(un.get("links").get(0).get("dst").asText()).isEqualTo(dead.toString());
        assertThat(un.get("links").get(0).get("cost").asDouble()).isEqualTo(42.5);
        assertThat(un.get("suspect").asBoolean()).isFalse();

        LineClient.exchange(server.port(), "RMV@" + dead);
        SseClient.Event s = events.next();
        assertThat(s.type()).isEqualTo("suspect");
        assertThat(json(s).get("id").asText()).isEqualTo(dead.toString());
        assertThat(json(s).get("suspect").asBoolean()).isTrue();
        // the removal also drops the live node's link to the dead one, which comes as an update of the live node
        java.util.List<SseClient.Event> rest = new java.util.ArrayList<>();
        do rest.add(events.next());
        while (!rest.get(rest.size() - 1).type().equals("remove"));
        assertThat(json(rest.get(rest.size() - 1)).get("id").asText()).isEqualTo(dead.toString());
        SseClient.Event update = rest.get(rest.size() - 2);
        assertThat(update.type()).isEqualTo("update");
        assertThat(json(update).get("id").asText()).isEqualTo(alive.node().toString());
        assertThat(json(update).get("links")).hasSize(1);
    }

    @Test
    void thePageItsAssetsAndTheLayoutAreServed() throws Exception {
        server = TrackerServer.start(
                TrackerConfig.forTest(dir).withRemovePeriodMs(60_000).withAllowForeignIds(true));
        NodeId a = new NodeId("10.0.0.1", 7000), b = new NodeId("10.0.0.2", 7000), c = new NodeId("10.0.0.3", 7000);
        for (NodeId n : new NodeId[] {a, b, c}) register(n);
        LineClient.exchange(server.port(), "UPT@" + a + "@" + b + "@10.0|@" + a + "@" + c + "@200.0|");
        LineClient.exchange(server.port(), "UPT@" + b + "@" + a + "@10.0|");
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> page = client.send(
                HttpRequest.newBuilder(URI.create(base() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<svg id=\"map\"").contains("map.js").doesNotContain("https://");
        HttpResponse<String> js = client.send(
                HttpRequest.newBuilder(URI.create(base() + "/map.js")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(js.headers().firstValue("content-type").orElse("")).startsWith("text/javascript");
        assertThat(js.body()).contains("EventSource(\"api/events\")");
        HttpResponse<String> layout = client.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/layout")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode l = JSON.readTree(layout.body());
        assertThat(l.get("method").asText()).isEqualTo("mds");
        JsonNode pa = l.get("positions").get(a.toString()),
                pb = l.get("positions").get(b.toString());
        JsonNode pc = l.get("positions").get(c.toString());
        double ab = Math.hypot(
                pa.get(0).asDouble() - pb.get(0).asDouble(),
                pa.get(1).asDouble() - pb.get(1).asDouble());
        double ac = Math.hypot(
                pa.get(0).asDouble() - pc.get(0).asDouble(),
                pa.get(1).asDouble() - pc.get(1).asDouble());
        assertThat(ab).isCloseTo(10.0, org.assertj.core.api.Assertions.within(0.5));
        assertThat(ac).isGreaterThan(10 * ab);
    }
}
