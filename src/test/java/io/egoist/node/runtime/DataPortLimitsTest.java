package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.node.NodeConfig;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node's main port against strangers, with real sockets: 2,000 idle connections are capped and timed out;
 * one address gets its share; a quiet v0.2-style link is never timed out, a heartbeating link stays while it
 * heartbeats. The node's tracker does not exist (it keeps retrying its REG); the port is served anyway.
 */
class DataPortLimitsTest {

    private static EgoistNode node(DataPortLimits limits) throws Exception {
        // Port 1 on loopback: nothing listens there, and unlike a just-released ephemeral port it can never be
        // handed to the node itself (which then registered at its own data port and used up one of its slots).
        int deadTracker = 1;
        return EgoistNode.start(
                NodeConfig.defaults(new NodeId("127.0.0.1", 1), "127.0.0.1", deadTracker),
                new EgoistNode.Options().ephemeralPort(true).dataLimits(limits));
    }

    private static long[] counters(EgoistNode n) {
        return n.dataPortCounters().join(); // open, rejected busy, closed idle
    }

    @Test
    void twoThousandIdleConnectionsAreCappedAndTimedOut() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (EgoistNode n =
                node(new DataPortLimits().maxConnections(100, 10_000).idleTimeoutMs(1_500))) {
            for (int i = 0; i < 2_000; i++) clients.add(new Socket("127.0.0.1", n.id().port()));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                long[] c = counters(n);
                return c[0] == 0 && c[1] + c[2] == 2_000;
            });
            long[] c = counters(n);
            assertThat(c[1]).isGreaterThanOrEqualTo(1_000);
            assertThat(c[2]).isGreaterThanOrEqualTo(100);
            int busy = 0;
            for (Socket s : clients) {
                s.setSoTimeout(5_000);
                String first = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if ("NACK@busy".equals(first)) busy++;
                else assertThat(first).isNull(); // closed by the idle timeout
            }
            assertThat(busy).isEqualTo(c[1]);
        } finally {
            for (Socket s : clients) s.close();
        }
    }

    @Test
    void oneAddressGetsAtMostItsShare() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (EgoistNode n = node(new DataPortLimits().maxConnections(1_000, 4))) {
            for (int i = 0; i < 7; i++) clients.add(new Socket("127.0.0.1", n.id().port()));
            await().atMost(Duration.ofSeconds(10)).until(() -> counters(n)[1] == 3);
            assertThat(counters(n)[0]).isEqualTo(4);
        } finally {
            for (Socket s : clients) s.close();
        }
    }

    @Test
    void aQuietV02LinkStaysAndAHeartbeatingLinkStaysWhileItHeartbeats() throws Exception {
        try (EgoistNode n = node(new DataPortLimits().idleTimeoutMs(1_000));
                Socket v02 = new Socket("127.0.0.1", n.id().port());
                Socket hb = new Socket("127.0.0.1", n.id().port());
                Socket stranger = new Socket("127.0.0.1", n.id().port())) {
            NodeId a = new NodeId("127.0.0.1", 40_000), b = new NodeId("127.0.0.1", 40_002);
            String upt = WireCodec.encode(new Message.PeerUpdate("a1", 1, a, List.of(new Link(a, b, 12.5))));
            v02.getOutputStream().write((upt + "\r\n").getBytes(StandardCharsets.US_ASCII));
            v02.getOutputStream().flush();
            OutputStream hbOut = hb.getOutputStream();
            // the heartbeating link keeps going: a heartbeat every 200 ms for 3 idle timeouts
            hb.setSoTimeout(5_000);
            BufferedReader hbIn =
                    new BufferedReader(new InputStreamReader(hb.getInputStream(), StandardCharsets.US_ASCII));
            for (int i = 1; i <= 15; i++) {
                hbOut.write(("HB@" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                hbOut.flush();
                assertThat(hbIn.readLine()).isEqualTo("HB@" + i); // answered: the link is up
                Thread.sleep(200); // the peer's heartbeat period, not a wait for an event
            }
            // meanwhile the stranger (nothing sent) was closed by the idle timeout
            stranger.setSoTimeout(10_000);
            assertThat(stranger.getInputStream().read()).isEqualTo(-1);
            // the quiet v0.2 link was never closed: it is still open and served (the stranger's close reaches the
            // node's counters just after the stranger sees it)
            await().atMost(Duration.ofSeconds(5)).until(() -> counters(n)[0] == 2);
            // once the heartbeats stop, that link is closed too
            assertThat(hbIn.readLine()).isNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> counters(n)[0] == 1);
            assertThat(v02.isClosed()).isFalse();
        }
    }
}
