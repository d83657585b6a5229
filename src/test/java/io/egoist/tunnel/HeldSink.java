package io.egoist.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** A TCP service that accepts one connection, reads nothing until released, then reads to the end and digests. */
final class HeldSink implements AutoCloseable {
    final ServerSocket server;
    final CountDownLatch release = new CountDownLatch(1);
    /** SHA-256 of everything read, and the byte count. */
    final CompletableFuture<byte[]> digest = new CompletableFuture<>();

    volatile long read;

    HeldSink() throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::run, "held-sink");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void run() {
        try (Socket s = server.accept();
                InputStream in = s.getInputStream()) {
            release.await();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                read += n;
            }
            digest.complete(md.digest());
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
