package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send REGs and never read: the REG reply is one shared buffer, so they hold views, not copies, and
 * a connection whose output makes no progress is closed. Memory (heap after GC plus direct buffers) stays bounded
 * and the tracker serves everyone else.
 */
class TrackerNonReadingClientsTest {
    static final int NODES = 10_000;
    static final int CLIENTS = 100;
    static final int REGS_EACH = 8;

    @TempDir
    Path dir;

    TrackerServer server;
    final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) s.close();
        if (server != null) server.close();
    }

    @Test
    void clientsThatNeverReadLeaveMemoryBoundedAndAreClosedWhenStalled() throws Exception {
        BigOverlay.write(dir, NODES, System.currentTimeMillis());
        server = TrackerServer.start(
                TrackerConfig.forTest(dir)
                        .withRemovePeriodMs(600_000)
                        .withExpireAfterMs(3_600_000)
                        .withAllowForeignIds(true), // 10.x ids played from 127.0.0.1
                TrackerNetConfig.defaults().withMaxConnectionsPerAddress(1000).withStallCloseMs(1_000));
        int replyBytes = replyBytes();
        assertThat(replyBytes).isGreaterThan(1_000_000); // about 1.8 MB at 10,000 nodes / 40,000 links
        long before = memoryAfterGc();

        for (int i = 0; i < CLIENTS; i++) {
            Socket s = new Socket();
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            sockets.add(s);
            OutputStream out = s.getOutputStream();
            StringBuilder regs = new StringBuilder();
            for (int k = 0; k < REGS_EACH; k++)
                regs.append("REG@").append(BigOverlay.id(k)).append("\r\n");
            out.write(regs.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        // every client got at least its first reply queued (the core counted the REGs) and none reads
        await().atMost(Duration.ofSeconds(60)).until(() -> server.counters().message("REG") >= CLIENTS);
        long during = memoryAfterGc();
        // a copy of the reply per client would be CLIENTS x 1.8 MB = 180 MB; shared, it is one reply plus views
        assertThat(during - before)
                .as("memory growth with %d non-reading clients (reply %d bytes)", CLIENTS, replyBytes)
                .isLessThan(64L << 20);

        // the stalled connections are closed (their output made no progress for 1 s) ...
        await().atMost(Duration.ofSeconds(60)).until(() -> server.guardCounts()[2] >= CLIENTS);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.query(TrackerCore::connectionCount) == 0);
        // ... and a legitimate client is served in full meanwhile and after
        try (LineClient legit = new LineClient(server.port())) {
            List<String> reply = legit.send("REG@10.9.9.9:7000").readReply();
            assertThat(reply.get(reply.size() - 1)).startsWith("NET@").doesNotEndWith("SEG");
        }
    }

    private int replyBytes() throws IOException {
        try (LineClient c = new LineClient(server.port())) {
            int n = 0;
            for (String l : c.send("REG@" + BigOverlay.id(0)).readReply()) n += l.length() + 2;
            return n;
        }
    }

    /** Heap used after GC plus direct buffer memory (Netty's own count where it keeps one, else the JVM's). */
    static long memoryAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            best = Math.min(
                    best,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        long direct = Math.max(0, io.netty.util.internal.PlatformDependent.usedDirectMemory());
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) direct += b.getMemoryUsed();
        }
        return best + direct;
    }
}
