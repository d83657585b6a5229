package io.egoist.web.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.runtime.HttpJsonServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event stream over real HTTP on loopback: order, the snapshot first, slow subscribers, the subscriber cap. */
class EventHubTest {
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    String start(EventHub.Limits limits) {
        EventHub hub = new EventHub(limits, () -> CompletableFuture.completedFuture(Map.of("nodes", List.of())));
        this.hub = hub;
        HttpJsonServer http = new HttpJsonServer();
        http.stream("/api/events", hub::open);
        int port = http.listen("127.0.0.1", 0);
        toClose.add(http);
        toClose.add(hub);
        return "http://127.0.0.1:" + port + "/api/events";
    }

    EventHub hub;

    SseClient subscribe(String url) throws Exception {
        SseClient c = new SseClient(url);
        toClose.add(c);
        return c;
    }

    @Test
    void aSubscriberGetsTheSnapshotThenEveryEventInOrder() throws Exception {
        String url = start(EventHub.Limits.DEFAULTS);
        SseClient c = subscribe(url);
        assertThat(c.status).isEqualTo(200);
        assertThat(c.contentType).startsWith("text/event-stream");
        assertThat(c.next()).isEqualTo(new SseClient.Event("snapshot", "{\"nodes\":[]}"));
        await().until(() -> hub.subscriberCount() == 1);
        // a burst below the per-subscriber queue: every event arrives, in order
        assertThat(500).isLessThan(EventHub.DEFAULT_SUBSCRIBER_QUEUE);
        for (int i = 0; i < 500; i++) {
            int n = i;
            hub.publish(i % 2 == 0 ? "join" : "update", () -> Map.of("n", n));
        }
        for (int i = 0; i < 500; i++) {
            SseClient.Event e = c.next();
            assertThat(e.type()).isEqualTo(i % 2 == 0 ? "join" : "update");
            assertThat(e.data()).isEqualTo("{\"n\":" + i + "}");
        }
        c.close();
        await().until(() -> hub.subscriberCount() == 0);
    }

    @Test
    void aSubscriberThatDoesNotReadIsDroppedWhileOthersKeepTheirStream() throws Exception {
        int queue = 64;
        String url = start(new EventHub.Limits(4, queue, 100_000, 60_000));
        SseClient reader = subscribe(url);
        assertThat(reader.next().type()).isEqualTo("snapshot");
        try (Socket silent = new Socket()) {
            silent.setReceiveBufferSize(4096);
            silent.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"))));
            OutputStream out = silent.getOutputStream();
            out.write("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().until(() -> hub.subscriberCount() == 2);
            // 16 KiB events: the silent subscriber's socket buffers fill, then its queue, and it is dropped
            String pad = "x".repeat(16 * 1024);
            int sent = 0;
            while (hub.droppedCount() == 0 && sent < 20_000) {
                int n = sent++;
                hub.publish("update", () -> Map.of("n", n, "pad", pad));
                // the reader keeps up, so the hub's queue for it never fills
                SseClient.Event e = reader.next();
                assertThat(new ObjectMapper().readTree(e.data()).get("n").asInt())
                        .isEqualTo(n);
                assertThat(hub.maxQueuedSeen()).isLessThanOrEqualTo(queue);
            }
            assertThat(hub.droppedCount()).isEqualTo(1);
            await().until(() -> hub.subscriberCount() == 1);
            assertThat(hub.maxQueuedSeen()).isLessThanOrEqualTo(queue);
            // the dropped subscriber's stream ends: reading its socket reaches end of stream
            silent.setSoTimeout(10_000);
            var in = silent.getInputStream();
            byte[] buf = new byte[65536];
            while (in.read(buf) >= 0) {
                // drain what the kernel still held
            }
        }
        // the reader still gets events after the drop
        hub.publish("join", () -> Map.of("n", -1));
        assertThat(reader.next("join").data()).isEqualTo("{\"n\":-1}");
    }

    @Test
    void oneSubscriberOverTheCapGets503() throws Exception {
        String url = start(new EventHub.Limits(2, 16, 1024, 60_000));
        subscribe(url).next();
        subscribe(url).next();
        SseClient third = subscribe(url);
        assertThat(third.status).isEqualTo(503);
        assertThat(hub.subscriberCount()).isEqualTo(2);
    }

    @Test
    void oneAddressOverItsCapGets429WithAOneLineReasonWhileOtherAddressesAreServed() throws Exception {
        String url = start(new EventHub.Limits(8, 16, 1024, 60_000).withMaxPerAddress(2));
        int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
        SseClient first = subscribe(url);
        assertThat(first.next().type()).isEqualTo("snapshot");
        assertThat(subscribe(url).next().type()).isEqualTo("snapshot");
        await().until(() -> hub.subscriberCount() == 2);

        SseClient third = subscribe(url); // a third stream from 127.0.0.1
        assertThat(third.status).isEqualTo(429);
        assertThat(third.next().type()).isEqualTo("end"); // no event: a JSON error, then the close
        assertThat(hub.refusedPerAddressCount()).isEqualTo(1);
        assertThat(hub.subscriberCount()).isEqualTo(2);
        String refused = rawGet("127.0.0.1", port);
        assertThat(refused).startsWith("HTTP/1.1 429");
        assertThat(refused)
                .contains("{\"error\":\"too many event streams from 127.0.0.1 (limit 2 per address)\",\"status\":429}");
        assertThat(hub.refusedPerAddressCount()).isEqualTo(2);

        // another address (127.0.0.2 reaches the loopback listener too) still gets a stream
        String other = rawGet("127.0.0.2", port);
        assertThat(other).startsWith("HTTP/1.1 200").contains("event: snapshot");

        // once one of its streams ends, the first address may open one again
        first.close();
        await().until(() -> hub.subscriberCount() == 1);
        assertThat(subscribe(url).next().type()).isEqualTo("snapshot");
    }

    /** A GET of the event stream from local address {@code from}: what arrived until the snapshot or the close. */
    private static String rawGet(String from, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            var in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[4096];
            int n;
            while (!got.toString().contains("event: snapshot") && (n = in.read(buf)) >= 0)
                got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            return got.toString();
        }
    }

    @Test
    void anIntakeOverflowEndsTheStreamsSoThatSubscribersStartAgainFromASnapshot() throws Exception {
        String url = start(new EventHub.Limits(2, 1_000_000, 4, 60_000));
        SseClient c = subscribe(url);
        assertThat(c.next().type()).isEqualTo("snapshot");
        await().until(() -> hub.subscriberCount() == 1);
        // hold the hub thread so the intake fills up
        CompletableFuture<Void> release = new CompletableFuture<>();
        hub.publish("block", () -> {
            release.join();
            return Map.of();
        });
        for (int i = 0; i < 10; i++) hub.publish("update", () -> Map.of());
        release.complete(null);
        assertThat(c.next("end").type()).isEqualTo("end");
        assertThat(hub.resyncCount()).isEqualTo(1);
        await().until(() -> hub.subscriberCount() == 0);
        // a new subscription starts with a snapshot again
        assertThat(subscribe(url).next().type()).isEqualTo("snapshot");
    }
}
