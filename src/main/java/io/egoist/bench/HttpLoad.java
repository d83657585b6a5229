package io.egoist.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that read {@code GET /api/overlay} in a loop, a new connection per request and no compression, as a
 * shell loop of {@code curl} would: the concurrent HTTP load under which REG latency is measured.
 */
final class HttpLoad implements AutoCloseable {
    record Totals(long responses, long bytes, long errors, String lastError) {
        Totals(long responses, long bytes, long errors) {
            this(responses, bytes, errors, null);
        }
    }

    private final InetSocketAddress target;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError;
    private final List<Thread> threads = new ArrayList<>();

    private HttpLoad(InetSocketAddress target) {
        this.target = target;
    }

    static HttpLoad start(InetSocketAddress target, int clients) {
        HttpLoad l = new HttpLoad(target);
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(l::loop, "bench-http-" + i);
            t.setDaemon(true);
            l.threads.add(t);
            t.start();
        }
        return l;
    }

    /** Waits (bounded) until every client had a response, so the load is on before timing starts. */
    void awaitFirstResponses(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (responses.get() + errors.get() < threads.size() && System.currentTimeMillis() < end) Thread.sleep(10);
    }

    private void loop() {
        byte[] req = ("GET /api/overlay HTTP/1.1\r\nHost: " + target.getHostString() + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] buf = new byte[1 << 16];
        while (!stop.get()) {
            try (Socket s = new Socket()) {
                s.connect(target, 5000);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                out.write(req);
                InputStream in = s.getInputStream();
                long n = 0;
                int r;
                boolean ok = false;
                while ((r = in.read(buf)) > 0) {
                    if (n == 0) ok = r > 12 && new String(buf, 9, 3, StandardCharsets.US_ASCII).equals("200");
                    n += r;
                }
                bytes.addAndGet(n);
                if (ok) {
                    responses.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                    lastError = "not a 200 response";
                }
            } catch (IOException e) {
                errors.incrementAndGet();
                lastError = e.toString();
            }
        }
    }

    Totals stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) t.join(35_000);
        return new Totals(responses.get(), bytes.get(), errors.get(), lastError);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop.get()) stop();
    }
}
