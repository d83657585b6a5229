package io.egoist.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.node.NodeConfig;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.wire.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The control API's defences against web pages and strangers, over raw HTTP on a real socket (so that Host can
 * be forged as a rebound DNS name would be): Host/Origin 403, token 401, Content-Type 415, payload size 413.
 * One node whose tracker does not exist is enough: the checks come before any work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlApiGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";
    private EgoistNode node;
    private ControlApi open;
    private ControlApi locked;

    @BeforeAll
    void start() throws Exception {
        int deadTracker = 1; // nothing listens on loopback port 1, and the node can never be given it
        node = EgoistNode.start(
                NodeConfig.defaults(new NodeId("127.0.0.1", 1), "127.0.0.1", deadTracker),
                new EgoistNode.Options().ephemeralPort(true));
        open = ControlApi.start(node, "127.0.0.1", 0, null);
        locked = ControlApi.start(node, "127.0.0.1", 0, null, TOKEN);
    }

    @AfterAll
    void stop() {
        if (open != null) open.close();
        if (locked != null) locked.close();
        if (node != null) node.close();
    }

    record Reply(int status, JsonNode body) {}

    /** One HTTP/1.1 request with exactly these headers (Content-Length added when there is a body). */
    static Reply request(int port, String method, String path, Map<String, String> headers, byte[] body)
            throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null)
                head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) > 0) all.write(buf, 0, n);
            } catch (java.net.SocketException e) {
                // the server may reset after answering a request whose body it did not read
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int sep = text.indexOf("\r\n\r\n");
            String b = sep < 0 ? "" : text.substring(sep + 4);
            return new Reply(status, b.isBlank() ? null : JSON.readTree(b));
        }
    }

    private static Map<String, String> headers(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static byte[] textBody(String text) {
        return JSON.createObjectNode().put("text", text).toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theControlAddressAsHostIsServedUnderBothNames() throws Exception {
        for (String host : new String[] {"127.0.0.1:" + open.port(), "localhost:" + open.port()}) {
            Reply r = request(open.port(), "GET", "/status", headers("Host", host), null);
            assertThat(r.status()).as(host).isEqualTo(200);
            assertThat(r.body().get("id").asText()).isEqualTo(node.id().toString());
        }
    }

    @Test
    void aForeignOrMissingHostIs403() throws Exception {
        for (String host : new String[] {"evil.example:" + open.port(), "127.0.0.1:1", "127.0.0.1", "localhost"}) {
            Reply r = request(open.port(), "GET", "/status", headers("Host", host), null);
            assertThat(r.status()).as(host).isEqualTo(403);
            assertThat(r.body().get("error").asText()).contains("Host");
        }
        assertThat(request(open.port(), "GET", "/status", headers(), null).status())
                .isEqualTo(403);
    }

    @Test
    void aForeignOriginIs403AndTheOwnOriginIsServed() throws Exception {
        String host = "127.0.0.1:" + open.port();
        for (String origin : new String[] {"http://evil.example", "null", "http://127.0.0.1:1", "https://" + host}) {
            Reply get = request(open.port(), "GET", "/status", headers("Host", host, "Origin", origin), null);
            assertThat(get.status()).as(origin).isEqualTo(403);
            Reply post = request(
                    open.port(),
                    "POST",
                    "/send?to=10.9.9.9:7000",
                    headers("Host", host, "Origin", origin, "Content-Type", "application/json"),
                    textBody("csrf"));
            assertThat(post.status()).as(origin).isEqualTo(403);
        }
        Reply own = request(open.port(), "GET", "/status", headers("Host", host, "Origin", "http://" + host), null);
        assertThat(own.status()).isEqualTo(200);
    }

    @Test
    void aPostWithoutJsonContentTypeIs415() throws Exception {
        String host = "127.0.0.1:" + open.port();
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
            Reply r = request(
                    open.port(),
                    "POST",
                    "/send?to=10.9.9.9:7000",
                    headers("Host", host, "Content-Type", type),
                    textBody("x"));
            assertThat(r.status()).as(type).isEqualTo(415);
            assertThat(r.body().get("error").asText()).contains("application/json");
        }
        assertThat(request(open.port(), "POST", "/send?to=10.9.9.9:7000", headers("Host", host), textBody("x"))
                        .status())
                .isEqualTo(415);
        // with the right type the request gets through the guard: no route to that node
        Reply ok = request(
                open.port(),
                "POST",
                "/send?to=10.9.9.9:7000",
                headers("Host", host, "Content-Type", "application/json; charset=utf-8"),
                textBody("x"));
        assertThat(ok.status()).isEqualTo(404);
    }

    @Test
    void withATokenEveryRequestNeedsTheBearerToken() throws Exception {
        String host = "127.0.0.1:" + locked.port();
        assertThat(request(locked.port(), "GET", "/status", headers("Host", host), null)
                        .status())
                .isEqualTo(401);
        assertThat(request(
                                locked.port(),
                                "GET",
                                "/status",
                                headers("Host", host, "Authorization", "Bearer wrong"),
                                null)
                        .status())
                .isEqualTo(401);
        assertThat(request(locked.port(), "GET", "/status", headers("Host", host, "Authorization", TOKEN), null)
                        .status())
                .isEqualTo(401);
        Reply noTokenPost = request(
                locked.port(),
                "POST",
                "/send?to=10.9.9.9:7000",
                headers("Host", host, "Content-Type", "application/json"),
                textBody("x"));
        assertThat(noTokenPost.status()).isEqualTo(401);
        assertThat(noTokenPost.body().get("error").asText()).contains("Bearer");
        Reply ok = request(
                locked.port(), "GET", "/status", headers("Host", host, "Authorization", "Bearer " + TOKEN), null);
        assertThat(ok.status()).isEqualTo(200);
        // a forged Host is refused even with the token
        assertThat(request(
                                locked.port(),
                                "GET",
                                "/status",
                                headers("Host", "evil.example", "Authorization", "Bearer " + TOKEN),
                                null)
                        .status())
                .isEqualTo(403);
    }

    @Test
    void aPayloadOverTheMaximumIs413WithAJsonErrorUpTo1MiBAnd413Beyond() throws Exception {
        String host = "127.0.0.1:" + open.port();
        Map<String, String> h = headers("Host", host, "Content-Type", "application/json");
        byte[] over = new byte[EgoistNode.MAX_PAYLOAD + 1];
        Arrays.fill(over, (byte) 7);
        byte[] body = JSON.createObjectNode()
                .put("base64", Base64.getEncoder().encodeToString(over))
                .toString()
                .getBytes(StandardCharsets.UTF_8);
        Reply r = request(open.port(), "POST", "/send?to=10.9.9.9:7000", h, body);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().get("error").asText()).contains("65537 bytes").contains("maximum is 65536");
        // exactly 1 MiB of text: the JSON error still comes
        byte[] mib = new byte[1 << 20];
        Arrays.fill(mib, (byte) 'a');
        String text = new String(mib, 0, mib.length - 12, StandardCharsets.US_ASCII);
        Reply big = request(open.port(), "POST", "/send?to=10.9.9.9:7000", h, textBody(text));
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.body().get("error").asText()).contains("payload too large");
        // beyond the HTTP server's body limit: still an answer, 413, as soon as the length is announced (the
        // client sends no body: the server answers and closes without reading one)
        Map<String, String> hugeHead = new LinkedHashMap<>(h);
        hugeHead.put("Content-Length", String.valueOf((1 << 20) + 100));
        Reply huge = request(open.port(), "POST", "/send?to=10.9.9.9:7000", hugeHead, null);
        assertThat(huge.status()).isEqualTo(413);
        // the node is unharmed and keeps serving
        assertThat(request(open.port(), "GET", "/status", headers("Host", host), null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aMalformedSendBodyIs400() throws Exception {
        Map<String, String> h = headers("Host", "127.0.0.1:" + open.port(), "Content-Type", "application/json");
        for (String body : new String[] {
            "hello",
            "[1]",
            "{}",
            "{\"text\":1}",
            "{\"text\":\"a\",\"base64\":\"YQ==\"}",
            "{\"base64\":\"***\"}",
            "{\"text\":\"\"}",
            "{\"other\":\"x\"}"
        }) {
            Reply r = request(open.port(), "POST", "/send?to=10.9.9.9:7000", h, body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(body).isEqualTo(400);
        }
    }
}
