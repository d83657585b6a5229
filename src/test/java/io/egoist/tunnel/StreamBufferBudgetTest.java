package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The node-wide budget for TCP stream bytes: a sender's window is its share of the budget, and a receiver whose
 * applications do not read holds at most the budget, whatever its senders send; what it dropped arrives later.
 */
class StreamBufferBudgetTest {
    private static final int KIB = 1024;

    @Test
    void aSendersWindowIsItsShareOfTheBudgetWithinTheWindowAndAFloor() {
        TunnelLimits d = TunnelLimits.DEFAULTS;
        assertThat(d.streamWindow(1)).isEqualTo(1024 * KIB);
        assertThat(d.streamWindow(64)).isEqualTo(1024 * KIB);
        assertThat(d.streamWindow(128)).isEqualTo(512 * KIB);
        assertThat(d.streamWindow(d.tcpStreams())).isEqualTo(64 * KIB);
        assertThat(d.streamWindow(0)).isEqualTo(1024 * KIB);

        TunnelLimits small = d.withStreamBuffer(64 * KIB, 128 * KIB);
        assertThat(small.streamWindow(1)).isEqualTo(64 * KIB);
        assertThat(small.streamWindow(4)).isEqualTo(32 * KIB);
        assertThat(small.streamWindow(100)).as("never below 16 KiB").isEqualTo(16 * KIB);
        assertThatThrownBy(() -> d.withStreamBuffer(256 * KIB, 128 * KIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below one stream window");
    }

    @Test
    void aReceiverWhoseApplicationsStopReadingHoldsAtMostTheBudgetAndLosesNothing() throws Exception {
        int window = 64 * KIB;
        long budget = 128 * KIB;
        int size = 8 * 1024 * KIB; // beyond the kernel's socket buffers towards the service
        try (HeldSink held = new HeldSink(8 * KIB); // small kernel buffers: node 3 soon holds what is not read
                TunnelPath path = TunnelPath.start(
                        4,
                        Map.of(3, List.of(new Service("held", Service.Proto.TCP, "127.0.0.1", held.port()))),
                        TunnelLimits.DEFAULTS.withStreamBuffer(window, budget))) {
            assertThat(path.awaitReady(30_000))
                    .as("overlay formed:%n%s", path.describe())
                    .isTrue();
            // three senders, each within its own window (64 KiB): 192 KiB in flight towards node 3, over its budget
            List<Socket> clients = new ArrayList<>();
            List<CompletableFuture<byte[]>> sent = new ArrayList<>();
            AtomicLong written = new AtomicLong();
            try {
                for (int i = 0; i < 3; i++) {
                    Forward.Info f = path.node(i)
                            .tunnels()
                            .addForward(new Forward.Spec(
                                    Service.Endpoint.parse("tcp:127.0.0.1:0"),
                                    path.node(3).id(),
                                    "held"))
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join();
                    Socket s = new Socket("127.0.0.1", f.port());
                    clients.add(s);
                    int seed = i;
                    sent.add(CompletableFuture.supplyAsync(() -> write(s, size, seed, written)));
                }
                // every writer stalls: nothing moves for a second
                EchoServices.awaitStandingStill(written);
                assertThat(written.get()).as("the writers were stopped").isLessThan(3L * size);
                TunnelNode receiver = path.node(3).tunnels();
                assertThat(receiver.streamBytesWaiting().get(5, TimeUnit.SECONDS))
                        .as("bytes node 3 holds for its three stalled services")
                        .isLessThanOrEqualTo(budget);
                // the same in Netty's count of the queued writes (which adds 96 bytes per queued write)
                assertThat(receiver.heldBytes().get(5, TimeUnit.SECONDS)).isLessThanOrEqualTo(budget + 4 * KIB);
                assertThat(receiver.streamBytesOverBudget.get())
                        .as("bytes node 3 dropped at its budget")
                        .isPositive();

                held.release.countDown(); // the service reads again: every byte of every stream arrives, in order
                Set<String> expected = new HashSet<>();
                for (CompletableFuture<byte[]> f : sent) expected.add(hex(f.get(120, TimeUnit.SECONDS)));
                await().atMost(Duration.ofSeconds(120)).until(() -> held.digests.size() == 3);
                assertThat(held.digests.keySet()).isEqualTo(expected);
                assertThat(held.digests.values()).containsOnly((long) size);
            } finally {
                for (Socket s : clients) s.close();
            }
        }
    }

    /** Writes {@code size} random bytes and closes its side; returns their SHA-256. */
    private static byte[] write(Socket s, int size, int seed, AtomicLong written) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[64 * KIB];
            Random rnd = new Random(seed);
            OutputStream out = s.getOutputStream();
            for (int off = 0; off < size; off += chunk.length) {
                rnd.nextBytes(chunk);
                md.update(chunk);
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
            out.flush();
            s.shutdownOutput();
            return md.digest();
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
