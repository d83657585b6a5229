package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.runtime.EchoServer;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsMembers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure mode: connections still in their TLS handshake count towards a port's caps (real sockets). Stalled
 * clients are plain TCP connections that never send a ClientHello.
 */
class SecureHandshakeCapsTest {
    @TempDir
    Path dir;

    final List<Socket> sockets = new ArrayList<>();
    TrackerServer tracker;
    EchoServer echo;

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) s.close();
        if (tracker != null) tracker.close();
        if (echo != null) echo.close();
    }

    Socket plain(String localIp, int port) throws Exception {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(localIp, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    static String firstLine(Socket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    /** True when nothing arrived and the connection is still open (a short read times out). */
    static boolean stillWaiting(Socket s) throws Exception {
        s.setSoTimeout(100);
        try {
            s.getInputStream().read(); // a byte or the end: not waiting any more
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            s.setSoTimeout(10_000);
        }
    }

    @Test
    void stalledHandshakesFillTheTrackersPerAddressCapWhileAMemberElsewhereStillRegisters() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        TlsMembers tls = TestPki.members(pki.issue("tracker", "tracker"));
        Path member = pki.issue("m", "127.0.0.2:7000");
        tracker = TrackerServer.start(
                TrackerConfig.forTest(dir.resolve("data")),
                TrackerNetConfig.defaults().withMaxConnectionsPerAddress(3),
                tls);
        for (int i = 0; i < 3; i++) plain("127.0.0.1", tracker.port());

        // the fourth from the same address is refused before any handshake, in plain text
        Socket fourth = plain("127.0.0.1", tracker.port());
        assertThat(firstLine(fourth)).isEqualTo("NACK@busy: too many connections from address");
        assertThat(fourth.getInputStream().read()).isEqualTo(-1);
        for (Socket s : sockets.subList(0, 3)) assertThat(stillWaiting(s)).isTrue();

        // a member from another address is not affected
        try (SSLSocket m = MemberSockets.open(member, "127.0.0.2", tracker.port())) {
            m.getOutputStream().write("REG@127.0.0.2:7000\r\n".getBytes(StandardCharsets.US_ASCII));
            m.getOutputStream().flush();
            assertThat(firstLine(m)).doesNotStartWith("NACK");
        }
        assertThat(tracker.snapshot().node(io.egoist.wire.NodeId.parse("127.0.0.2:7000")))
                .isPresent();

        // the handshake timeout closes the stalled ones, and their address gets a place again
        for (Socket s : sockets.subList(0, 3)) {
            s.setSoTimeout(30_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Socket again = plain("127.0.0.1", tracker.port());
            assertThat(stillWaiting(again)).isTrue(); // in its handshake, not refused
        });
    }

    @Test
    void stalledHandshakesCountTowardsTheEchoPortsTotalCap() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        TlsMembers node = TestPki.members(pki.issue("n", TestPki.node(7000)));
        echo = new EchoServer(null, null, EchoServer::decodesAsHello, new EchoServer.Limits().maxConnections(3, 64))
                .tls(node);
        int port = echo.listen("127.0.0.1", 0);
        plain("127.0.0.1", port);
        plain("127.0.0.1", port);
        plain("127.0.0.3", port);
        await().atMost(Duration.ofSeconds(10)).until(() -> echo.openConnections() == 3);

        Socket over = plain("127.0.0.2", port);
        assertThat(firstLine(over)).isEqualTo("NACK@busy: too many connections");
        assertThat(over.getInputStream().read()).isEqualTo(-1);
        assertThat(echo.rejectedBusy()).isEqualTo(1);
        assertThat(echo.openConnections()).isEqualTo(3);

        for (Socket s : sockets.subList(0, 3)) s.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> echo.openConnections() == 0);
        // with the places free again, a member's probe connection is answered
        Path other = pki.issue("o", TestPki.node(7002));
        try (SSLSocket m = MemberSockets.open(other, "127.0.0.2", port)) {
            m.getOutputStream().write("PING@1\r\n".getBytes(StandardCharsets.US_ASCII));
            m.getOutputStream().flush();
            assertThat(firstLine(m)).isEqualTo("PING@1");
        }
    }
}
