package io.egoist.web.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven over the DevTools protocol (the JDK's own WebSocket client; no extra
 * dependency): open a page, evaluate JavaScript in it, take a screenshot.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final WebSocket page;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The browser binary: $EGOIST_CHROMIUM, else chromium / chromium-browser on the PATH. */
    public static Optional<Path> find() {
        String env = System.getenv("EGOIST_CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) return Optional.of(Path.of(env));
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Starts the browser with a blank page of {@code width} x {@code height}. */
    public static HeadlessChromium start(Path binary, int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("egoist-chromium-");
        Process p = new ProcessBuilder(
                        binary.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--remote-debugging-port=0",
                        "--remote-allow-origins=*",
                        "--user-data-dir=" + profile,
                        "--window-size=" + width + "," + height,
                        "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String ws = devToolsUrl(p);
            URI browser = URI.create(ws);
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(
                            HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            String pageWs = null;
            for (JsonNode t : JSON.readTree(list)) {
                if (t.get("type").asText().equals("page"))
                    pageWs = t.get("webSocketDebuggerUrl").asText();
            }
            if (pageWs == null) throw new IllegalStateException("chromium opened no page: " + list);
            HeadlessChromium c = new HeadlessChromium(p, profile, http, URI.create(pageWs));
            c.call(
                    "Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
            return c;
        } catch (Exception e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    /** Reads stderr until the DevTools line (30 s at most), then keeps draining it in the background. */
    private static String devToolsUrl(Process p) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread t = new Thread(
                () -> {
                    try {
                        String line;
                        while ((line = err.readLine()) != null) {
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) url.complete(m.group(1));
                            else if (!url.isDone() && seen.length() < 4000)
                                seen.append(line).append('\n');
                        }
                    } catch (IOException ignored) {
                        // the browser exited
                    }
                    url.completeExceptionally(new IllegalStateException("chromium exited before listening:\n" + seen));
                },
                "chromium-stderr");
        t.setDaemon(true);
        t.start();
        return url.get(30, TimeUnit.SECONDS);
    }

    private HeadlessChromium(Process process, Path profile, HttpClient http, URI pageWs) throws Exception {
        this.process = process;
        this.profile = profile;
        this.page = http.newWebSocketBuilder()
                .buildAsync(pageWs, new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            dispatch(text.toString());
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
    }

    private void dispatch(String message) {
        try {
            JsonNode m = JSON.readTree(message);
            if (!m.has("id")) return; // an event
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
            if (f == null) return;
            if (m.has("error")) f.completeExceptionally(new IllegalStateException("devtools: " + m.get("error")));
            else f.complete(m.get("result"));
        } catch (IOException e) {
            // not JSON: ignore
        }
    }

    /** Sends one DevTools command and waits (20 s at most) for its result. */
    public JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        page.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        return f.get(20, TimeUnit.SECONDS);
    }

    public void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** Evaluates a JavaScript expression in the page and returns its value (JSON). */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
        JsonNode v = r.get("result").get("value");
        return v == null ? JSON.nullNode() : v;
    }

    /** Writes a PNG screenshot of the viewport. */
    public void screenshot(Path png) throws Exception {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    @Override
    public void close() {
        try {
            page.abort();
        } catch (RuntimeException ignored) {
            // already closed
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS))
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary profile
        }
    }

    /**
     * Screenshot of a running map: {@code HeadlessChromium URL OUT.png [width height wait-seconds [script]]}; the
     * script (JavaScript, e.g. clicks) runs after the wait, one second before the picture.
     */
    public static void main(String[] args) throws Exception {
        Path bin = find().orElseThrow(() -> new IllegalStateException("no chromium found"));
        int w = args.length > 2 ? Integer.parseInt(args[2]) : 1200,
                h = args.length > 3 ? Integer.parseInt(args[3]) : 800;
        try (HeadlessChromium c = start(bin, w, h)) {
            c.navigate(args[0]);
            // a tool for the README's picture, not a test: give the page time to draw the live overlay
            Thread.sleep(TimeUnit.SECONDS.toMillis(args.length > 4 ? Long.parseLong(args[4]) : 5));
            if (args.length > 5) {
                c.eval(args[5]);
                Thread.sleep(1_000);
            }
            c.screenshot(Path.of(args[1]));
        }
    }
}
