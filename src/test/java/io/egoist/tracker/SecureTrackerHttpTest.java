package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.security.tls.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP port of a secure tracker: the overlay and metrics only locally or with the bearer token. */
class SecureTrackerHttpTest {
    @TempDir
    Path dir;

    TrackerServer server;

    @AfterEach
    void tearDown() {
        if (server != null) server.close();
    }

    /** The status line of a GET from and to {@code ip}. */
    String get(String ip, String path, String auth) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(ip), 0));
            s.connect(new InetSocketAddress(ip, server.httpPort()), 5000);
            s.setSoTimeout(10_000);
            String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return all.substring(0, all.indexOf("\r\n"));
        }
    }

    @Test
    void overlayAndMetricsNeedTheLocalMachineOrTheToken() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        server = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data")).withHttpPort(0),
                TrackerNetConfig.defaults().withHttpBind("0.0.0.0"),
                TestPki.members(pki.issue("tracker", "tracker")),
                "s3cret-token");
        assertThat(get("127.0.0.1", "/api/overlay", null)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(get("127.0.0.1", "/metrics", null)).isEqualTo("HTTP/1.1 200 OK");
        String lan = nonLoopbackAddress();
        if (lan != null) { // a client from another address (this machine's LAN address stands for it)
            assertThat(get(lan, "/api/overlay", null)).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(get(lan, "/metrics", "Bearer nope")).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(get(lan, "/", null)).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(get(lan, "/api/overlay", "Bearer s3cret-token")).isEqualTo("HTTP/1.1 200 OK");
            assertThat(get(lan, "/healthz", null)).isEqualTo("HTTP/1.1 200 OK");
        } else {
            System.out.println("SecureTrackerHttpTest: no non-loopback IPv4 address on this machine; "
                    + "the remote-client case is checked on HttpAccess alone");
        }
        // the rule itself
        assertThat(HttpAccess.isLoopback("127.0.0.2")).isTrue();
        assertThat(HttpAccess.isLoopback("10.0.0.1")).isFalse();
        assertThat(HttpAccess.isLoopback(null)).isFalse();
        HttpAccess access = new HttpAccess("s3cret-token");
        assertThat(denied(access, "10.0.0.1", "/api/overlay", null)).isTrue();
        assertThat(denied(access, "10.0.0.1", "/metrics", "Bearer wrong")).isTrue();
        assertThat(denied(access, "10.0.0.1", "/api/overlay", "Bearer s3cret-token"))
                .isFalse();
        assertThat(denied(access, "10.0.0.1", "/healthz", null)).isFalse();
        assertThat(denied(new HttpAccess(null), "10.0.0.1", "/metrics", "Bearer s3cret-token"))
                .isTrue();
        assertThat(denied(access, null, "/api/overlay", null)).isTrue();
    }

    static String nonLoopbackAddress() throws IOException {
        for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) continue;
            for (var a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address) return a.getHostAddress();
            }
        }
        return null;
    }

    static boolean denied(HttpAccess access, String ip, String path, String auth) {
        java.util.Map<String, String> h = new java.util.HashMap<>();
        if (ip != null) h.put(io.egoist.runtime.HttpJsonServer.REMOTE_ADDRESS, ip);
        if (auth != null) h.put("authorization", auth);
        try {
            access.check(new io.egoist.runtime.HttpJsonServer.Request("GET", path, java.util.Map.of(), new byte[0], h));
            return false;
        } catch (io.egoist.runtime.HttpJsonServer.HttpError e) {
            assertThat(e.status()).isEqualTo(401);
            return true;
        }
    }
}
