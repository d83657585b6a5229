package io.egoist.tracker;

import io.egoist.runtime.CoreHost;
import io.egoist.runtime.HttpJsonServer;
import io.egoist.runtime.HttpJsonServer.Response;
import io.egoist.web.map.TrackerMap;
import io.egoist.wire.Link;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running tracker: {@link TrackerCore} hosted on one Netty event loop ({@link CoreHost}, which also answers
 * the core's probes with its EchoProber), the SQLite {@link TrackerStore} applying the core's persistence
 * effects, and an HTTP server for {@code /api/overlay}, {@code /healthz}, {@code /metrics} and the live map
 * ({@code /}, {@code /api/events}, {@code /api/layout}: {@link TrackerMap}).
 */
public final class TrackerServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrackerServer.class);

    /** How long a Close waits for a peer that does not read what is still queued for it. */
    public static final long CLOSE_GRACE_MS = 10_000;

    private final TrackerConfig config;
    private final TrackerStore store;
    private final CoreHost<TrackerCore> host;
    private final TrackerMetrics metrics;
    private final HttpJsonServer http;
    private final TrackerMap map;
    private final int port;
    private final int httpPort;
    private final int loadedNodes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private TrackerServer(
            TrackerConfig config,
            TrackerStore store,
            CoreHost<TrackerCore> host,
            TrackerMetrics metrics,
            HttpJsonServer http,
            TrackerMap map,
            int port,
            int httpPort,
            int loadedNodes) {
        this.config = config;
        this.store = store;
        this.host = host;
        this.metrics = metrics;
        this.http = http;
        this.map = map;
        this.port = port;
        this.httpPort = httpPort;
        this.loadedNodes = loadedNodes;
    }

    /**
     * Opens the database, loads the overlay, and starts listening.
     *
     * @throws TrackerStoreException if the database cannot be opened or read (a one-line message)
     * @throws IllegalStateException if a port cannot be bound
     */
    public static TrackerServer start(TrackerConfig config) {
        TrackerStore store = TrackerStore.open(config.dataDir());
        CoreHost<TrackerCore> host = null;
        HttpJsonServer http = null;
        TrackerMap map = null;
        try {
            TrackerSnapshot initial = store.load();
            store.start();
            TrackerCore core = new TrackerCore(config, initial);
            map = new TrackerMap(initial);
            TrackerMap liveMap = map;
            host = new CoreHost<>(
                    core,
                    new CoreHost.Options()
                            .name("tracker")
                            .otherEffects(effect -> {
                                store.accept(effect);
                                liveMap.accept(effect);
                            })
                            // a suspect is probed at the report and at the next sweep; between those (and once it is
                            // cleared or removed) its echo connection is released rather than held for ever
                            .probeIdleCloseMs(2 * config.pingTimeoutMs())
                            // a client that never reads its REG reply: after the tracker's Close (idle timeout, NACK)
                            // its unwritten output is dropped and the connection closed within CLOSE_GRACE_MS
                            .closeGraceMs(CLOSE_GRACE_MS));
            host.start().join();
            int port = host.listen(config.bindHost(), config.port());
            TrackerMetrics metrics = new TrackerMetrics(store::pendingCount);
            int httpPort = -1;
            if (config.httpPort() >= 0) {
                http = new HttpJsonServer();
                CoreHost<TrackerCore> h = host;
                http.route(
                        "GET",
                        "/api/overlay",
                        req -> h.query(TrackerCore::snapshot).thenApply(TrackerServer::overlayJson));
                http.route(
                        "GET",
                        "/healthz",
                        req -> h.query(c -> Response.json(health(c, store)))
                                .completeOnTimeout(
                                        Response.error(503, "tracker core not answering"), 2, TimeUnit.SECONDS));
                http.route(
                        "GET",
                        "/metrics",
                        req -> h.query(TrackerMetrics.Sample::of)
                                .thenApply(s -> Response.text(200, HttpJsonServer.PROMETHEUS_TEXT, metrics.scrape(s))));
                map.install(http, () -> h.query(TrackerCore::snapshot));
                httpPort = http.listen(config.bindHost(), config.httpPort());
            }
            TrackerServer server =
                    new TrackerServer(config, store, host, metrics, http, map, port, httpPort, initial.nodeCount());
            log.info(
                    "event=tracker-listening bind={} port={} http_port={} data={} nodes={} links={}",
                    config.bindHost(),
                    port,
                    httpPort,
                    store.file(),
                    initial.nodeCount(),
                    initial.linkCount());
            return server;
        } catch (RuntimeException e) {
            if (http != null) http.close();
            if (map != null) map.close();
            if (host != null) host.close();
            store.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** The bound HTTP port, or -1 without HTTP. */
    public int httpPort() {
        return httpPort;
    }

    public TrackerConfig config() {
        return config;
    }

    public TrackerStore store() {
        return store;
    }

    /** Nodes loaded from the database at start. */
    public int loadedNodes() {
        return loadedNodes;
    }

    /** Runs a read of the core on its thread. */
    public <T> T query(Function<TrackerCore, T> read) {
        try {
            return host.query(read).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("tracker core did not answer: " + e, e);
        }
    }

    /** The live map (its event hub exists only with HTTP on). */
    public TrackerMap liveMap() {
        return map;
    }

    public TrackerSnapshot snapshot() {
        return query(TrackerCore::snapshot);
    }

    public TrackerCounters counters() {
        return query(TrackerCore::counters);
    }

    public String scrapeMetrics() {
        return metrics.scrape(query(TrackerMetrics.Sample::of));
    }

    /**
     * Graceful stop: stop accepting, let the lines already received be handled and the replies written,
     * close the connections, stop HTTP, then write every pending change to the database. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitStopped(30, TimeUnit.SECONDS);
            return;
        }
        try {
            host.close();
            if (http != null) http.close();
            map.close();
            store.close();
            log.info("event=tracker-stopped port={}", port);
        } finally {
            stopped.countDown();
        }
    }

    /** Waits until {@link #close()} has finished. */
    public boolean awaitStopped(long timeout, TimeUnit unit) {
        try {
            return stopped.await(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // --------------------------------------------------------------------------------------- HTTP

    static Response overlayJson(TrackerSnapshot snap) {
        List<Object> nodes = new ArrayList<>(snap.nodeCount());
        for (TrackerNode n : snap.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id().toString());
            m.put("last_seen", n.lastSeenMs());
            m.put("last_seen_iso", Instant.ofEpochMilli(n.lastSeenMs()).toString());
            m.put("suspect", n.suspect());
            List<Object> links = new ArrayList<>(n.links().size());
            for (Link l : n.links()) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("dst", l.dst().toString());
                lm.put("cost", l.cost());
                links.add(lm);
            }
            m.put("links", links);
            nodes.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node_count", snap.nodeCount());
        out.put("link_count", snap.linkCount());
        out.put("nodes", nodes);
        return Response.json(out);
    }

    private static Map<String, Object> health(TrackerCore core, TrackerStore store) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        m.put("nodes", core.nodeCount());
        m.put("links", core.linkCount());
        m.put("suspects", core.suspectCount());
        m.put("store_pending", store.pendingCount());
        return m;
    }

    /** For callers that want to wait on the overlay without blocking (e.g. tests). */
    public CompletableFuture<TrackerSnapshot> snapshotAsync() {
        return host.query(TrackerCore::snapshot);
    }
}
