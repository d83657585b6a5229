package io.egoist.web;

import io.egoist.node.routing.RouteMode;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.HttpJsonServer;
import io.egoist.runtime.HttpJsonServer.HttpError;
import io.egoist.runtime.HttpJsonServer.Response;
import io.egoist.web.map.NodeMap;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletionException;

/**
 * A node's local control API (HTTP, JSON), bound to 127.0.0.1 unless told otherwise:
 * <ul>
 *   <li>{@code GET /status}: id, phase, policy, k, neighbors with costs, known nodes, own cost C_i;</li>
 *   <li>{@code GET /routes}: every reachable destination with next hop, path and cost;</li>
 *   <li>{@code GET /route?to=ID}: one destination (404 when there is no route); with {@code &mode=best|overlay}
 *       the route this node gives its own traffic in that mode, with the direct RTT and how the first hop is
 *       carried (400 for another mode);</li>
 *   <li>{@code POST /send?to=ID}: body = JSON {@code {"text": "..."}} or {@code {"base64": "..."}}, the payload
 *       (at most {@link EgoistNode#MAX_PAYLOAD} bytes, else 413); answers once the destination's acknowledgement
 *       is back, with the path, the route cost and the measured round-trip time (404 no route, 504 no
 *       acknowledgement); {@code &mode=best|overlay} picks the source's routing mode (default overlay);</li>
 *   <li>{@code GET /metrics}: Prometheus text;</li>
 *   <li>the node's live map: {@code GET /} (the page), {@code /api/events}, {@code /api/layout} ({@link NodeMap}).</li>
 * </ul>
 * Bad requests (missing or malformed {@code to}, sending to itself, empty payload) get 400 with a JSON error.
 * Every request passes {@link ControlGuard} first (Host, Origin, token, Content-Type: 403, 401, 415).
 */
public final class ControlApi implements AutoCloseable {
    /** The control port {@code egoist node} uses unless told otherwise (and the CLI wrappers call). */
    public static final int DEFAULT_PORT = 7080;

    private final HttpJsonServer server;
    private final NodeMap map;
    private final int port;

    private ControlApi(HttpJsonServer server, NodeMap map, int port) {
        this.server = server;
        this.map = map;
        this.port = port;
    }

    /**
     * The control API's connection limits: at most {@code maxConnections} open connections (one more gets 503 and is
     * closed), and a connection idle for {@code idleTimeoutMs} is closed (HttpJsonServer's defaults: 256, 60 s).
     */
    public record Limits(int maxConnections, long idleTimeoutMs) {
        public static final Limits DEFAULTS =
                new Limits(HttpJsonServer.DEFAULT_MAX_CONNECTIONS, HttpJsonServer.DEFAULT_IDLE_TIMEOUT_MS);

        public Limits {
            if (maxConnections < 1) throw new IllegalArgumentException("max connections must be at least 1");
            if (idleTimeoutMs < 1) throw new IllegalArgumentException("idle timeout must be positive");
        }
    }

    /** Serves {@code node}'s control API on {@code host:port} (port 0 = ephemeral), without a token. */
    public static ControlApi start(EgoistNode node, String host, int port, EventLoopGroup group) {
        return start(node, host, port, group, null);
    }

    /**
     * Serves {@code node}'s control API on {@code host:port} (port 0 = ephemeral); with a non-null {@code token}
     * every request needs {@code Authorization: Bearer <token>}. Throws IllegalStateException when the port
     * cannot be bound.
     */
    public static ControlApi start(EgoistNode node, String host, int port, EventLoopGroup group, String token) {
        return start(node, host, port, group, token, Limits.DEFAULTS);
    }

    /** As {@link #start(EgoistNode, String, int, EventLoopGroup, String)}, with these connection limits. */
    public static ControlApi start(
            EgoistNode node, String host, int port, EventLoopGroup group, String token, Limits limits) {
        HttpJsonServer s = new HttpJsonServer(group)
                .maxConnections(limits.maxConnections())
                .idleTimeoutMs(limits.idleTimeoutMs());
        ControlGuard guard = new ControlGuard(host, token);
        s.route("GET", "/status", req -> node.status().thenApply(st -> Response.json(NodeJson.status(st))));
        s.route("GET", "/routes", req -> node.routes().thenApply(rs -> Response.json(NodeJson.routes(node.id(), rs))));
        s.route("GET", "/route", req -> {
            NodeId to = nodeParam(req.requireParam("to"));
            RouteMode mode = modeParam(req.param("mode"));
            if (mode != null)
                return node.route(to, mode)
                        .thenApply(r -> r.map(x -> Response.json(NodeJson.route(x)))
                                .orElseThrow(
                                        () -> new HttpError(404, "no route to " + to + " in mode " + mode.label())));
            return node.route(to)
                    .thenApply(r -> r.map(ri -> Response.json(NodeJson.route(ri)))
                            .orElseThrow(() -> new HttpError(404, "no route to " + to)));
        });
        s.route("POST", "/send", req -> {
            NodeId to = nodeParam(req.requireParam("to"));
            RouteMode mode = modeParam(req.param("mode"));
            byte[] body = SendBody.payload(req.body());
            if (to.equals(node.id())) throw new HttpError(400, "cannot send to the node itself: " + to);
            var routed = mode == null
                    ? node.route(to).thenApply(java.util.Optional::isPresent)
                    : node.route(to, mode).thenApply(java.util.Optional::isPresent);
            return routed.thenCompose(r -> {
                        if (!r) throw new HttpError(404, "no route to " + to);
                        return node.send(to, body, mode);
                    })
                    .handle((res, err) -> {
                        if (err == null) return Response.json(NodeJson.sent(res, body.length));
                        Throwable t =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        if (t instanceof HttpError he) throw he;
                        if (t instanceof EgoistNode.SendFailedException sf)
                            throw new HttpError(504, "send to " + to + " failed: " + sf.getMessage());
                        if (t instanceof java.util.concurrent.TimeoutException)
                            throw new HttpError(504, "send to " + to + " failed: no answer from the node");
                        throw new CompletionException(t);
                    });
        });
        s.route(
                "GET",
                "/metrics",
                req -> node.scrapeMetrics()
                        .thenApply(text -> Response.text(200, HttpJsonServer.PROMETHEUS_TEXT, text)));
        ForwardsApi.install(s, node);
        NodeMap map = NodeMap.install(s, node);
        s.guard(guard::check); // every route, the map and the event stream included
        int bound;
        try {
            bound = s.listen(host, port);
        } catch (RuntimeException e) {
            map.close();
            s.close();
            throw e;
        }
        guard.bound(bound);
        return new ControlApi(s, map, bound);
    }

    private static NodeId nodeParam(String text) {
        try {
            return NodeId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "bad node id '" + text + "': " + e.getMessage());
        }
    }

    /** The {@code mode} parameter: null when absent, 400 when not a mode. */
    private static RouteMode modeParam(String text) {
        if (text == null) return null;
        try {
            return RouteMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.close();
        map.close();
    }
}
