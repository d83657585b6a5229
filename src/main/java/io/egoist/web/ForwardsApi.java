package io.egoist.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.node.routing.RouteMode;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.HttpJsonServer;
import io.egoist.runtime.HttpJsonServer.HttpError;
import io.egoist.runtime.HttpJsonServer.Response;
import io.egoist.tunnel.Forward;
import io.egoist.tunnel.Service;
import io.egoist.tunnel.TunnelException;
import io.egoist.wire.NodeId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * The control API's tunnel routes: {@code POST /forwards} (body {@code {"listen": "udp:HOST:PORT", "to": "ID",
 * "service": "NAME", "mode": "best"}}, mode {@code best} (default) or {@code overlay}; the destination is asked first: 404 with its reason when it does not serve that name),
 * {@code GET /forwards} (each forward with its counters, the exposed services, the relay counters) and
 * {@code DELETE /forwards/{id}}.
 */
final class ForwardsApi {
    private ForwardsApi() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static void install(HttpJsonServer s, EgoistNode node) {
        s.route("POST", "/forwards", req -> {
            Forward.Spec spec = spec(req.body());
            return node.tunnels().addForward(spec).handle((info, err) -> {
                if (err == null) return Response.json(json(info));
                Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                if (t instanceof TunnelException te) throw new HttpError(te.status(), te.getMessage());
                throw new CompletionException(t);
            });
        });
        s.route(
                "GET",
                "/forwards",
                req -> node.tunnels().forwards().thenApply(list -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", node.id().toString());
                    List<Object> fs = new ArrayList<>();
                    for (Forward.Info i : list) fs.add(json(i));
                    m.put("forwards", fs);
                    m.put(
                            "exposed",
                            node.tunnels().exposed().stream()
                                    .map(Service::toString)
                                    .toList());
                    long[] c = node.tunnels().counters();
                    Map<String, Object> relay = new LinkedHashMap<>();
                    relay.put("frames_relayed", c[0]);
                    relay.put("bytes_relayed", c[1]);
                    relay.put("dropped_congested", c[2]);
                    relay.put("dropped_no_route", c[3]);
                    relay.put("malformed", c[4]);
                    relay.put("refused", c[5]);
                    relay.put("stream_bytes_over_budget", c[6]);
                    m.put("tunnel_plane", relay);
                    return Response.json(m);
                }));
        s.route("DELETE", "/forwards/*", req -> {
            String text = req.path().substring(req.path().lastIndexOf('/') + 1);
            long id;
            try {
                id = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad forward id '" + text + "'");
            }
            return node.tunnels().removeForward(id).thenApply(found -> {
                if (!found) throw new HttpError(404, "no forward " + id);
                return Response.json(Map.of("removed", id));
            });
        });
    }

    static Map<String, Object> json(Forward.Info i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("proto", i.proto());
        m.put("listen", i.listen());
        m.put("to", i.to());
        m.put("service", i.service());
        m.put("mode", i.mode());
        m.put("counters", i.counters());
        return m;
    }

    private static Forward.Spec spec(byte[] body) {
        JsonNode b;
        try {
            b = JSON.readTree(body);
        } catch (IOException e) {
            throw new HttpError(400, "body is not JSON");
        }
        if (b == null || !b.isObject()) throw new HttpError(400, "body must be a JSON object");
        String listen = text(b, "listen"), to = text(b, "to"), service = text(b, "service");
        JsonNode mode = b.get("mode"); // optional: best (the default) or overlay
        if (mode != null && !mode.isTextual()) throw new HttpError(400, "field 'mode' must be a string");
        try {
            RouteMode m = mode == null ? RouteMode.BEST : RouteMode.parse(mode.asText());
            return new Forward.Spec(Service.Endpoint.parse(listen), NodeId.parse(to), service, m);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    private static String text(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty())
            throw new HttpError(400, "missing string field '" + field + "'");
        return v.asText();
    }
}
