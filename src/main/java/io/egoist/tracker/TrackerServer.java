package io.egoist.tracker;

import io.egoist.runtime.CoreHost;
import io.egoist.runtime.HttpJsonServer;
import io.egoist.runtime.HttpJsonServer.Response;
import io.egoist.security.tls.TlsMembers;
import io.egoist.web.map.TrackerMap;
import java.util.LinkedHashMap;
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
    private final TrackerNetConfig net;
    private final OverlaySnapshots overlay;
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
            TrackerNetConfig net,
            TrackerStore store,
            CoreHost<TrackerCore> host,
            TrackerMetrics metrics,
            HttpJsonServer http,
            OverlaySnapshots overlay,
            TrackerMap map,
            int port,
            int httpPort,
            int loadedNodes) {
        this.config = config;
        this.net = net;
        this.overlay = overlay;
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
        return start(config, TrackerNetConfig.defaults());
    }

    /**
     * Opens the database, loads the overlay, and starts listening, with these connection and HTTP limits.
     *
     * @throws TrackerStoreException if the database cannot be opened or read (a one-line message)
     * @throws IllegalStateException if a port cannot be bound
     */
    public static TrackerServer start(TrackerConfig config, TrackerNetConfig net) {
        return start(config, net, null, null);
    }

    public static TrackerServer start(TrackerConfig config, TrackerNetConfig net, TlsMembers tls) {
        return start(config, net, tls, null);
    }

    /**
     * As {@link #start(TrackerConfig, TrackerNetConfig)}; with {@code tls} non-null in secure mode: the node port
     * and the probes speak mutually authenticated TLS 1.3, and REG/UPT are taken only for the id in the client's
     * certificate (see docs/SECURITY.md); the HTTP port then serves everything but {@code /healthz} only to
     * local clients or with {@code httpToken} (see {@link HttpAccess}).
     */
    public static TrackerServer start(TrackerConfig config, TrackerNetConfig net, TlsMembers tls, String httpToken) {
        TrackerStore store = TrackerStore.open(config.dataDir());
        CoreHost<TrackerCore> host = null;
        HttpJsonServer http = null;
        OverlaySnapshots snapshots = null;
        TrackerMap map = null;
        try {
            TrackerSnapshot initial = store.load();
            // group commit: the core holds each acknowledgement until the store reports its change durable
            TrackerCore core = new TrackerCore(config, initial, true);
            map = new TrackerMap(initial);
            TrackerMap liveMap = map;
            StoreFeed[] feed = new StoreFeed[1]; // made once the host's loop exists, before the core starts
            host = new CoreHost<>(
                    core,
                    new CoreHost.Options()
                            .name("tracker")
                            // epoll where it loads (NIO elsewhere): cheaper per connection (a UPT is one)
                            .nativeTransport(true)
                            .tls(io.egoist.runtime.HostTls.of(tls))
                            .otherEffects(effect -> {
                                feed[0].accept(effect); // per loop pass: one hand-over, one transaction
                                liveMap.accept(effect);
                            })
                            // a suspect is probed at the report and at the next sweep; between those (and once it is
                            // cleared or removed) its echo connection is released rather than held for ever
                            .probeIdleCloseMs(2 * config.pingTimeoutMs())
                            // a client that never reads its REG reply: after the tracker's Close (idle timeout, NACK)
                            // its unwritten output is dropped and the connection closed within CLOSE_GRACE_MS
                            .closeGraceMs(CLOSE_GRACE_MS)
                            // per-address cap, first-line deadline, stalled readers: below the core
                            .maxConnectionsPerAddress(
                                    net.maxConnectionsPerAddress(),
                                    "NACK@busy: too many connections from your address ("
                                            + net.maxConnectionsPerAddress() + ")")
                            .firstLineTimeout(
                                    net.firstLineTimeoutMs(),
                                    "NACK@timeout: no complete line within " + net.firstLineTimeoutMs() + " ms")
                            .stallCloseMs(net.stallCloseMs())
                            // secure mode: connections still in their TLS handshake count towards both caps
                            .countHandshakes(config.maxConnections(), net.maxConnectionsPerAddress())
                            // the REG reply is the same bytes for every client between changes: encode once, share
                            .sharedLines(TrackerNetConfig.SHARED_LINE_MIN_CHARS, net.sharedReplyBytes()));
            feed[0] = new StoreFeed(store, host.loop());
            CoreHost<TrackerCore> progressTo = host;
            store.onProgress((durable, healthy) -> progressTo.submit(new TrackerEvent.StoreProgress(durable, healthy)));
            store.start();
            host.start().join();
            RevocationServing.install(tls, host); // secure mode: members fetch the CA-signed list (CrlLines)
            int port = host.listen(config.bindHost(), config.port());
            int httpPort = -1;
            OverlaySnapshots overlay =
                    new OverlaySnapshots(host, net.overlayMinIntervalMs(), net.overlayBytesPerSecond());
            snapshots = overlay;
            if (config.httpPort() >= 0) {
                http = new HttpJsonServer()
                        .maxConnections(net.httpMaxConnections())
                        .idleTimeoutMs(net.httpIdleTimeoutMs());
                if (tls != null || httpToken != null) http.guard(new HttpAccess(httpToken)::check);
            }
            HttpJsonServer httpServer = http;
            CoreHost<TrackerCore> h = host;
            // /healthz and /metrics are read on the HTTP threads from figures the core keeps for any thread:
            // a scrape neither waits for the protocol thread nor adds work to it
            TrackerStats stats = core.stats();
            TrackerMetrics metrics = new TrackerMetrics(
                    stats,
                    store,
                    h::guardCounts,
                    httpServer == null ? null : () -> httpCounts(httpServer, overlay.budget()));
            if (http != null) {
                // bodies within a byte budget for all clients together: bulk reads cannot take the line port's CPU
                http.route("GET", "/api/overlay", req -> overlay.get().thenCompose(p -> budgeted(overlay, req, p)));
                http.route("GET", "/healthz", req -> CompletableFuture.completedFuture(health(stats, store)));
                http.route(
                        "GET",
                        "/metrics",
                        req -> CompletableFuture.completedFuture(
                                Response.text(200, HttpJsonServer.PROMETHEUS_TEXT, metrics.scrape())));
                map.install(http, () -> h.query(TrackerCore::snapshot));
                httpPort = http.listen(net.httpBind(), config.httpPort());
            }
            TrackerServer server = new TrackerServer(
                    config, net, store, host, metrics, http, overlay, map, port, httpPort, initial.nodeCount());
            log.info(
                    "event=tracker-listening bind={} port={} http_bind={} http_port={} transport={} data={} nodes={} links={}",
                    config.bindHost(),
                    port,
                    net.httpBind(),
                    httpPort,
                    host.transport(),
                    store.file(),
                    initial.nodeCount(),
                    initial.linkCount());
            return server;
        } catch (RuntimeException e) {
            if (snapshots != null) snapshots.close();
            if (http != null) http.close();
            if (map != null) map.close();
            if (host != null) host.close();
            store.close();
            throw e;
        }
    }

    /** Secure mode: closes connections (and probe connections) of peers that are no longer members. */
    public void recheckTls() {
        host.recheckTls();
    }

    /** "epoll" or "nio": the transport of the line port (and the probes). */
    public String transport() {
        return host.transport();
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

    public TrackerNetConfig netConfig() {
        return net;
    }

    /** The host's defence counts: refused by the per-address cap, first-line timeouts, stalled closes. */
    public long[] guardCounts() {
        return host.guardCounts();
    }

    /** HTTP connections open now, refused by the cap, closed as idle ({@code null} without HTTP). */
    public long[] httpCounts() {
        return http == null ? null : http.connectionCounts();
    }

    /** The whole-overlay snapshots behind /api/overlay (tests, the bench). */
    OverlaySnapshots overlaySnapshots() {
        return overlay;
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

    /** Runs a read of the core on its thread without waiting for it (tests: a read that holds the thread). */
    <T> CompletableFuture<T> queryAsync(Function<TrackerCore, T> read) {
        return host.query(read);
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
        return metrics.scrape();
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
            overlay.close();
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

    /** The JSON document /api/overlay serves (the same bytes as a snapshot's). */
    static Response overlayJson(TrackerSnapshot snap) {
        return new Response(200, HttpJsonServer.JSON, OverlaySnapshots.json(snap));
    }

    /** The HTTP server's {open, refused, idle closes} and the overlay budget's {delayed, refused}, for /metrics. */
    static long[] httpCounts(HttpJsonServer http, OverlayBudget budget) {
        long[] c = http.connectionCounts();
        long[] b = budget.counts();
        return new long[] {c[0], c[1], c[2], b[0], b[1]};
    }

    /** The response once the overlay budget has paid for its body; 503 with Retry-After if that would take too long. */
    static CompletableFuture<Response> budgeted(
            OverlaySnapshots overlay, HttpJsonServer.Request req, OverlaySnapshots.Published p) {
        Response r = overlayResponse(req, p);
        OverlayBudget budget = overlay.budget();
        return budget.acquire(r.body().length)
                .thenApply(ok -> ok
                        ? r
                        : Response.error(
                                        503,
                                        "overlay reads over budget (" + budget.bytesPerSecond()
                                                + " bytes/s for all clients); retry later")
                                .withHeader("Retry-After", Long.toString(budget.retryAfterSeconds())));
    }

    /** 304 when the client has this snapshot (If-None-Match), else the JSON, gzipped when the client accepts it. */
    static Response overlayResponse(HttpJsonServer.Request req, OverlaySnapshots.Published p) {
        String inm = req.headers().get("if-none-match");
        if (inm != null && etagMatches(inm, p.etag)) {
            return new Response(
                    304, HttpJsonServer.JSON, new byte[0], Map.of("ETag", p.etag, "Vary", "Accept-Encoding"));
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ETag", p.etag);
        h.put("Vary", "Accept-Encoding");
        h.put("Cache-Control", "no-cache");
        if (acceptsGzip(req.headers().get("accept-encoding"))) {
            h.put("Content-Encoding", "gzip");
            return new Response(200, HttpJsonServer.JSON, p.gzip(), h);
        }
        return new Response(200, HttpJsonServer.JSON, p.json, h);
    }

    static boolean etagMatches(String ifNoneMatch, String etag) {
        for (String t : ifNoneMatch.split(",")) {
            String v = t.trim();
            if (v.startsWith("W/")) v = v.substring(2);
            if (v.equals("*") || v.equals(etag)) return true;
        }
        return false;
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        for (String part : acceptEncoding.split(",")) {
            String[] kv = part.trim().split(";");
            if (!kv[0].trim().equalsIgnoreCase("gzip")) continue;
            for (int i = 1; i < kv.length; i++) {
                String q = kv[i].trim();
                if (q.startsWith("q=")) {
                    try {
                        return Double.parseDouble(q.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /** 200 and "ok" while the store writes; 503 with the reason while its writes fail (it keeps retrying). */
    static Response health(TrackerStats core, TrackerStore store) {
        String failure = store.failure();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", failure == null ? "ok" : "store-failing");
        if (failure != null) m.put("reason", "cannot write " + store.file() + ": " + failure);
        m.put("nodes", core.nodes());
        m.put("links", core.links());
        m.put("suspects", core.suspects());
        m.put("store_pending", store.pendingCount());
        m.put("store_failed_writes", store.failedWrites());
        m.put("acks_held", core.heldAcks());
        return Response.json(failure == null ? 200 : 503, m);
    }

    /** For callers that want to wait on the overlay without blocking (e.g. tests). */
    public CompletableFuture<TrackerSnapshot> snapshotAsync() {
        return host.query(TrackerCore::snapshot);
    }
}
