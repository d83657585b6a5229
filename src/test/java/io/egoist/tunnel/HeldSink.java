package io.egoist.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP service that reads nothing until released, then reads each connection to its end and digests what it sent.
 */
final class HeldSink implements AutoCloseable {
    final ServerSocket server = new ServerSocket();
    final CountDownLatch release = new CountDownLatch(1);
    /** SHA-256 of everything the first connection to end sent. */
    final CompletableFuture<byte[]> digest = new CompletableFuture<>();
    /** Each ended connection: the hex SHA-256 of what it sent, to its byte count. */
    final Map<String, Long> digests = new ConcurrentHashMap<>();
    /** Bytes read, all connections. */
    final AtomicLong read = new AtomicLong();

    HeldSink() throws IOException {
        this(0);
    }

    /** With {@code receiveBuffer} > 0, small kernel buffers: a node on the way soon holds what is not read. */
    HeldSink(int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) server.setReceiveBufferSize(receiveBuffer);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        Thread t = new Thread(this::accept, "held-sink");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Thread t = new Thread(() -> read(c), "held-sink-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket c) {
        try (c;
                InputStream in = c.getInputStream()) {
            release.await();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            long n = 0;
            for (int r; (r = in.read(buf)) > 0; n += r) {
                md.update(buf, 0, r);
                read.addAndGet(r);
            }
            byte[] d = md.digest();
            digests.put(HexFormat.of().formatHex(d), n);
            digest.complete(d);
        } catch (Exception e) {
            digest.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws IOException {
        release.countDown();
        server.close();
    }
}
