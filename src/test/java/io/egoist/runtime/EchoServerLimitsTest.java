package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The echo port's defences with real sockets: backpressure on a non-reader, line limit, caps, idle timeout. */
class EchoServerLimitsTest {

    private static String echo(Socket s, String line) throws Exception {
        s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    @Test
    void aPeerThatSendsAndNeverReadsIsPausedAndCostsAtMostTheHighMarkAndALittle() throws Exception {
        EchoServer.Limits limits = new EchoServer.Limits().idleTimeoutMs(3_000);
        try (EchoServer server = new EchoServer(null, null, EchoServer::decodesAsHello, limits)) {
            int port = server.listen("127.0.0.1", 0);
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            AtomicLong written = new AtomicLong();
            long toWrite = 256L << 20; // 256 MB of probe lines: everything would be echoed into our buffers
            Socket hog = new Socket();
            hog.setReceiveBufferSize(4096);
            hog.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            Thread writer = new Thread(() -> {
                byte[] chunk = "PING@123456789\r\n".repeat(4096).getBytes(StandardCharsets.US_ASCII);
                try {
                    OutputStream out = hog.getOutputStream();
                    while (written.get() < toWrite) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (Exception e) {
                    // closed by the idle timeout: expected
                }
            });
            writer.setDaemon(true);
            writer.start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> server.pausedConnections() == 1);
                long pending = server.pendingOutboundBytes();
                long direct = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
                System.out.printf(
                        "echo non-reader: paused after the peer wrote %d bytes; pending echoes %d bytes;"
                                + " pooled direct memory +%d bytes%n",
                        written.get(), pending, direct);
                assertThat(pending).isLessThanOrEqualTo(32 * 1024 + 64 * 1024);
                // others are still answered meanwhile
                try (Socket other = new Socket("127.0.0.1", port)) {
                    other.setSoTimeout(5_000);
                    assertThat(echo(other, "PING@7")).isEqualTo("PING@7");
                }
                assertThat(server.pendingOutboundBytes()).isLessThanOrEqualTo(32 * 1024 + 64 * 1024);
                assertThat(written.get()).isLessThan(toWrite);
                // and the stalled peer is dropped at the idle timeout, freeing its buffers
                await().atMost(Duration.ofSeconds(20)).until(() -> server.idleClosed() >= 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.pendingOutboundBytes() == 0);
            } finally {
                hog.close();
                writer.join(10_000);
            }
        }
    }

    @Test
    void aLineOverTheSmallMaximumGetsANackAndAClose() throws Exception {
        try (EchoServer server = new EchoServer(null, null)) {
            int port = server.listen("127.0.0.1", 0);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5_000);
                String max = "x".repeat(EchoServer.Limits.DEFAULT_MAX_LINE_LENGTH);
                assertThat(echo(s, max)).isEqualTo(max);
                s.getOutputStream()
                        .write(("y".repeat(EchoServer.Limits.DEFAULT_MAX_LINE_LENGTH + 1) + "\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("NACK@line too long");
                assertThat(in.readLine()).isNull();
            }
        }
    }

    @Test
    void twoThousandIdleConnectionsAreCappedAndThenTimedOut() throws Exception {
        EchoServer.Limits limits =
                new EchoServer.Limits().maxConnections(100, 10_000).idleTimeoutMs(1_500);
        List<Socket> clients = new ArrayList<>();
        try (EchoServer server = new EchoServer(null, null, EchoServer::decodesAsHello, limits)) {
            int port = server.listen("127.0.0.1", 0);
            for (int i = 0; i < 2_000; i++) clients.add(new Socket("127.0.0.1", port));
            // every connection is either refused at once (NACK@busy) or served until its idle timeout; never more
            // than the cap are open (a slot freed by the timeout can go to a later connection)
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> server.rejectedBusy() + server.idleClosed() == 2_000 && server.openConnections() == 0);
            assertThat(server.idleClosed()).isGreaterThanOrEqualTo(100);
            assertThat(server.rejectedBusy()).isGreaterThanOrEqualTo(1_000);
            int busy = 0, closedSilently = 0;
            for (Socket s : clients) {
                s.setSoTimeout(5_000);
                String first = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if ("NACK@busy".equals(first)) busy++;
                else if (first == null) closedSilently++;
            }
            assertThat(busy).isEqualTo(server.rejectedBusy());
            assertThat(closedSilently).isEqualTo(server.idleClosed());
            try (Socket fresh = new Socket("127.0.0.1", port)) {
                fresh.setSoTimeout(5_000);
                assertThat(echo(fresh, "PING@1")).isEqualTo("PING@1");
            }
        } finally {
            for (Socket s : clients) s.close();
        }
    }

    @Test
    void oneAddressGetsAtMostItsShare() throws Exception {
        EchoServer.Limits limits = new EchoServer.Limits().maxConnections(1_000, 5);
        List<Socket> clients = new ArrayList<>();
        try (EchoServer server = new EchoServer(null, null, EchoServer::decodesAsHello, limits)) {
            int port = server.listen("127.0.0.1", 0);
            for (int i = 0; i < 8; i++) clients.add(new Socket("127.0.0.1", port));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.rejectedBusy() == 3);
            assertThat(server.openConnections()).isEqualTo(5);
            clients.get(0).setSoTimeout(5_000);
            assertThat(echo(clients.get(0), "PING@2")).isEqualTo("PING@2");
        } finally {
            for (Socket s : clients) s.close();
        }
    }
}
