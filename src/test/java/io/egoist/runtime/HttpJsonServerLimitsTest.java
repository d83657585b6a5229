package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP server's bounds on real loopback sockets: bad URIs answered 400, a connection cap, an idle timeout. */
class HttpJsonServerLimitsTest {
    private HttpJsonServer server;
    private int port;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(HttpJsonServer s) {
        server = s.routeSync("GET", "/status", req -> HttpJsonServer.Response.json(Map.of("ok", true)))
                .routeSync(
                        "GET",
                        "/echo",
                        req -> HttpJsonServer.Response.json(Map.of("q", String.valueOf(req.param("q")))));
        port = server.listen("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (server != null) server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        sockets.add(s);
        return s;
    }

    /** Sends a raw request and returns everything until the server closes (Connection: close). */
    private String exchange(String requestLine) throws IOException {
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        out.write((requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void badPercentEncodingInTheQueryGets400NotASilentClose() throws IOException {
        start(new HttpJsonServer());
        String r = exchange("GET /echo?q=%zz HTTP/1.1");
        assertThat(r).startsWith("HTTP/1.1 400");
        assertThat(r).contains("\"error\":\"bad request URI");
        String truncated = exchange("GET /echo?q=abc%2 HTTP/1.1");
        assertThat(truncated).startsWith("HTTP/1.1 400");
        // and the server goes on serving
        assertThat(exchange("GET /echo?q=a%20b HTTP/1.1"))
                .startsWith("HTTP/1.1 200")
                .contains("\"q\":\"a b\"");
    }

    @Test
    void connectionsBeyondTheCapGet503AndTheOthersAreServed() throws IOException {
        start(new HttpJsonServer().maxConnections(2));
        Socket a = connect();
        Socket b = connect();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCounts()[0] == 2);
        Socket third = connect();
        String refused = new String(third.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused).startsWith("HTTP/1.1 503").contains("too many HTTP connections (2)");
        assertThat(server.connectionCounts()[1]).isEqualTo(1);
        // the two within the cap are served
        a.getOutputStream().write("GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
        assertThat(new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("HTTP/1.1 200");
        b.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCounts()[0] == 0);
        assertThat(exchange("GET /status HTTP/1.1")).startsWith("HTTP/1.1 200");
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        start(new HttpJsonServer().idleTimeoutMs(300));
        Socket idle = connect();
        InputStream in = idle.getInputStream();
        assertThat(in.read()).isEqualTo(-1); // closed by the server, nothing sent
        assertThat(server.connectionCounts()[2]).isGreaterThanOrEqualTo(1);
        // a half-sent request is idle too
        Socket partial = connect();
        partial.getOutputStream().write("GET /status HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
        assertThat(partial.getInputStream().read()).isEqualTo(-1);
        assertThat(exchange("GET /status HTTP/1.1")).startsWith("HTTP/1.1 200");
    }

    @Test
    void boundsAreCheckedWhenSet() {
        HttpJsonServer s = new HttpJsonServer();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.maxConnections(0))
                    .isInstanceOf(IllegalArgumentException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.idleTimeoutMs(0))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            s.close();
        }
    }
}
