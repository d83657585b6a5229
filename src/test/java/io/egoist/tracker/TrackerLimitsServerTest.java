package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.wire.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracker's limits on real loopback sockets: idle timeout, connection cap, echo connections released. */
class TrackerLimitsServerTest {

    @TempDir
    Path dir;

    TrackerServer server;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) c.close();
        if (server != null) server.close();
    }

    TrackerConfig config() {
        return TrackerConfig.forTest(dir)
                .withRemovePeriodMs(60_000)
                .withExpireAfterMs(600_000)
                .withAllowForeignIds(true); // many nodes played from 127.0.0.1
    }

    LineClient client() throws IOException {
        LineClient c = new LineClient(server.port());
        toClose.add(c);
        return c;
    }

    @Test
    void idleConnectionsAreClosedByTheTrackerAfterTheIdleTimeout() throws Exception {
        server = TrackerServer.start(config().withIdleTimeoutMs(1_000));
        LineClient silent = client();
        LineClient registered = client();
        assertThat(registered.send("REG@10.0.0.1:7000").readReply()).containsExactly("REG@10.0.0.1:7000#");
        // neither sends anything more: the tracker hangs up on both, without a NACK
        assertThat(silent.readLine()).isNull();
        assertThat(registered.readLine()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 0);
        assertThat(server.counters().idleCloses()).isEqualTo(2);
        assertThat(server.scrapeMetrics()).contains("egoist_tracker_idle_closes_total 2.0");
        // the tracker still serves new connections, and the node is still registered
        assertThat(LineClient.exchange(server.port(), "UPT@10.0.0.1:7000@10.0.0.2:7000@5|"))
                .isEmpty();
        assertThat(server.snapshot()
                        .node(NodeId.parse("10.0.0.1:7000"))
                        .orElseThrow()
                        .links())
                .hasSize(1);
    }

    @Test
    void connectionsBeyondTheCapGetBusyNackAndTheOthersAreServed() throws Exception {
        server = TrackerServer.start(config().withMaxConnections(3));
        List<LineClient> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) held.add(client());
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 3);
        LineClient fourth = client();
        assertThat(fourth.readLine()).isEqualTo("NACK@busy: too many connections");
        assertThat(fourth.readLine()).isNull();
        // the three connections within the cap are served
        for (int i = 0; i < 3; i++) {
            String id = "10.0.0." + (i + 1) + ":7000";
            assertThat(held.get(i).send("REG@" + id).readReply()).hasSize(1);
        }
        assertThat(server.snapshot().nodeCount()).isEqualTo(3);
        assertThat(server.counters().nack(TrackerCore.NACK_BUSY)).isEqualTo(1);
        assertThat(server.scrapeMetrics()).contains("egoist_tracker_nacks_total{reason=\"busy\"} 1.0");
        // once one of them is closed, there is room again
        held.get(0).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::connectionCount) == 2);
        assertThat(client().send("REG@10.0.0.9:7000").readReply()).hasSize(1);
    }

    @Test
    void echoConnectionToAClearedSuspectIsReleased() throws Exception {
        // an echo port that echoes every line and counts the connections the tracker opened and closed
        ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        toClose.add(echo);
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger hungUp = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket s = echo.accept();
                    opened.incrementAndGet();
                    Thread t = new Thread(() -> {
                        try (s) {
                            BufferedReader in = new BufferedReader(
                                    new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                            OutputStream out = s.getOutputStream();
                            String line;
                            while ((line = in.readLine()) != null)
                                out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        } catch (IOException e) {
                            // reset counts as hung up too
                        }
                        hungUp.incrementAndGet();
                    });
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException e) {
                // closed
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        NodeId node = new NodeId("127.0.0.1", echo.getLocalPort() - 1);
        server = TrackerServer.start(config().withPingTimeoutMs(1_000)); // echo connections idle 2 s are released
        try (LineClient c = new LineClient(server.port())) {
            c.send("REG@" + node).readReply();
        }
        assertThat(LineClient.exchange(server.port(), "RMV@" + node)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> opened.get() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.query(TrackerCore::suspectCount) == 0);
        // cleared: the tracker no longer needs the echo connection and hangs up
        await().atMost(Duration.ofSeconds(10)).until(() -> hungUp.get() == 1);
        assertThat(server.snapshot().ids()).containsExactly(node);
    }
}
