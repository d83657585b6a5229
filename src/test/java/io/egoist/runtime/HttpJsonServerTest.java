package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpJsonServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpJsonServer server;
    private String base;

    @BeforeEach
    void start() {
        server = new HttpJsonServer()
                .routeSync(
                        "GET", "/status", req -> HttpJsonServer.Response.json(Map.of("id", "127.0.0.1:7000", "k", 3)))
                .routeSync("GET", "/route", req -> {
                    String to = req.requireParam("to");
                    if (!to.contains(":")) throw new IllegalArgumentException("bad node id: " + to);
                    return HttpJsonServer.Response.json(Map.of("to", to));
                })
                .routeSync(
                        "POST",
                        "/send",
                        req -> HttpJsonServer.Response.json(Map.of(
                                "to", req.requireParam("to"), "bytes", req.body().length, "text", req.bodyText())))
                .route(
                        "GET",
                        "/slow",
                        req -> CompletableFuture.supplyAsync(
                                () -> HttpJsonServer.Response.json(Map.of("late", true)),
                                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)))
                .route("GET", "/failing", req -> CompletableFuture.failedFuture(new IllegalStateException("boom")))
                .route("GET", "/teapot", req -> {
                    throw new HttpJsonServer.HttpError(418, "short and stout");
                })
                .routeSync(
                        "GET",
                        "/metrics",
                        req -> HttpJsonServer.Response.text(
                                200, HttpJsonServer.PROMETHEUS_TEXT, "# TYPE x counter\nx_total 1.0\n"));
        int port = server.listen("127.0.0.1", 0);
        base = "http://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getRouteAnswersJson() throws Exception {
        HttpResponse<String> r = get("/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("id").asText()).isEqualTo("127.0.0.1:7000");
        assertThat(body.get("k").asInt()).isEqualTo(3);
    }

    @Test
    void queryParametersAreDecoded() throws Exception {
        HttpResponse<String> r = get("/route?to=127.0.0.1%3A7001");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("to").asText()).isEqualTo("127.0.0.1:7001");
    }

    @Test
    void postBodyReachesTheHandler() throws Exception {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create(base + "/send?to=127.0.0.1:7001"))
                        .POST(HttpRequest.BodyPublishers.ofString("héllo overlay"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("text").asText()).isEqualTo("héllo overlay");
        assertThat(body.get("bytes").asInt())
                .isEqualTo("héllo overlay".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void unknownPathIs404WithAJsonError() throws Exception {
        HttpResponse<String> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("/nope");
    }

    @Test
    void wrongMethodIs405WithAllowHeader() throws Exception {
        HttpResponse<String> r = get("/send?to=x");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("POST");
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("GET");
    }

    @Test
    void missingOrBadParameterIs400WithAJsonError() throws Exception {
        HttpResponse<String> missing = get("/route");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("'to'");
        HttpResponse<String> bad = get("/route?to=garbage");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("garbage");
    }

    @Test
    void asyncHandlersAnswerWhenTheirFutureCompletes() throws Exception {
        HttpResponse<String> r = get("/slow");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("late").asBoolean()).isTrue();
    }

    @Test
    void handlerFailuresBecomeJsonErrors() throws Exception {
        HttpResponse<String> failing = get("/failing");
        assertThat(failing.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(failing.body()).get("error").asText()).contains("boom");
        HttpResponse<String> teapot = get("/teapot");
        assertThat(teapot.statusCode()).isEqualTo(418);
        assertThat(JSON.readTree(teapot.body()).get("error").asText()).isEqualTo("short and stout");
    }

    @Test
    void textResponsesKeepTheirContentType() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body()).contains("x_total 1.0");
    }

    @Test
    void manyConcurrentRequestsAreAllAnswered() throws Exception {
        var pool = Executors.newFixedThreadPool(8);
        try {
            var futures = new java.util.ArrayList<CompletableFuture<Integer>>();
            for (int i = 0; i < 64; i++) {
                String path = i % 2 == 0 ? "/status" : "/slow";
                futures.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return get(path).statusCode();
                            } catch (Exception e) {
                                return -1;
                            }
                        },
                        pool));
            }
            for (CompletableFuture<Integer> f : futures)
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }
}
