package io.egoist.web.map;

import io.egoist.runtime.HttpJsonServer;
import io.egoist.runtime.HttpJsonServer.Response;
import io.egoist.web.events.EventHub;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The live map's HTTP routes, the same at the tracker and at a node: the page ({@code /}, {@code /map.js},
 * {@code /map.css}, shipped in the jar under {@code web/}), the event stream {@code /api/events} and the
 * placement {@code /api/layout} (computed off the network threads, at most once a second).
 */
public final class MapRoutes {
    private MapRoutes() {}

    /** The static files of the page: path to (resource, content type). */
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"web/index.html", "text/html; charset=utf-8"},
            "/map.js", new String[] {"web/map.js", "text/javascript; charset=utf-8"},
            "/map.css", new String[] {"web/map.css", "text/css; charset=utf-8"});

    /**
     * Registers the routes on {@code http} (before it listens).
     *
     * @param views the current overlay, asked for the layout; the layout itself is computed off the caller's
     *     thread
     */
    public static void install(HttpJsonServer http, EventHub hub, Supplier<? extends CompletionStage<MapView>> views) {
        for (Map.Entry<String, String[]> e : ASSETS.entrySet()) {
            byte[] body = resource(e.getValue()[0]);
            String type = e.getValue()[1];
            http.routeSync("GET", e.getKey(), req -> new Response(200, type, body));
        }
        http.stream("/api/events", hub::open);
        http.route(
                "GET",
                "/api/layout",
                req -> views.get()
                        .thenCompose(v -> CompletableFuture.supplyAsync(() -> Response.json(MapJson.layout(v)))));
    }

    private static byte[] resource(String name) {
        try (InputStream in = MapRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name + " (is the jar complete?)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
