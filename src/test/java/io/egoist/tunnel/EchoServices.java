package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Plain-socket services for the tunnel tests: a UDP echo and a TCP echo (each connection on its own thread). */
public final class EchoServices implements AutoCloseable {
    final DatagramSocket udp;
    final ServerSocket tcp;
    final AtomicLong tcpConnections = new AtomicLong();

    public EchoServices() throws IOException {
        udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread u = new Thread(this::udpLoop, "udp-echo");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::tcpLoop, "tcp-echo");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Writes {@code data} to {@code s} in chunks of {@code chunk} bytes on another thread, reads as many bytes back
     * and asserts that they are the same (SHA-256) and that the stream did not end early.
     */
    public static void echoesByteExact(Socket s, byte[] data, int chunk) throws Exception {
        CompletableFuture<Void> writer = writeInChunks(s.getOutputStream(), data, chunk);
        int size = data.length;
        MessageDigest back = MessageDigest.getInstance("SHA-256");
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        while (got < size) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, size - got));
            assertThat(n).as("stream ended after %d of %d bytes", got, size).isPositive();
            back.update(buf, 0, n);
            got += n;
        }
        writer.get(30, TimeUnit.SECONDS);
        assertThat(back.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /**
     * One datagram echoed byte-exact through a UDP forward on 127.0.0.1:{@code port}. UDP may lose a datagram while a
     * route changes, so it is sent again up to 3 times (each waits the socket's timeout); a late echo of an earlier
     * datagram is skipped.
     */
    public static void udpEchoOnce(DatagramSocket client, int port, byte[] payload) throws Exception {
        byte[] buf = new byte[2048];
        for (int attempt = 0; attempt < 3; attempt++) {
            client.send(new DatagramPacket(payload, payload.length, new InetSocketAddress("127.0.0.1", port)));
            try {
                while (true) {
                    DatagramPacket back = new DatagramPacket(buf, buf.length);
                    client.receive(back);
                    if (Arrays.equals(Arrays.copyOf(buf, back.getLength()), payload)) return;
                }
            } catch (SocketTimeoutException lost) {
                // sent again
            }
        }
        throw new AssertionError("no byte-exact echo of a " + payload.length + "-byte datagram after 3 sends");
    }

    /** Waits (at most 60 s) until {@code count} stood still for a second: a writer that was stopped. */
    public static void awaitStandingStill(AtomicLong count) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(1_000))
                .until(() -> {
                    long now = count.get();
                    boolean still = now == last[0];
                    last[0] = now;
                    return still;
                });
    }

    /** Writes {@code data} to {@code out} in chunks of {@code chunk} bytes on another thread, then flushes. */
    public static CompletableFuture<Void> writeInChunks(OutputStream out, byte[] data, int chunk) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int off = 0; off < data.length; off += chunk)
                    out.write(data, off, Math.min(chunk, data.length - off));
                out.flush();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    public int udpPort() {
        return udp.getLocalPort();
    }

    public int tcpPort() {
        return tcp.getLocalPort();
    }

    private void udpLoop() {
        byte[] buf = new byte[65_536];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void tcpLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                tcpConnections.incrementAndGet();
                Thread t = new Thread(() -> echo(s), "tcp-echo-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket s) {
        try (s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[32 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        } catch (SocketException e) {
            // the peer went away
        } catch (IOException e) {
            // the test reports what it misses
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
