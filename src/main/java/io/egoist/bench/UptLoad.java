package io.egoist.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The UPT load generator: one non-blocking selector loop keeping {@code concurrency} UPT exchanges in flight,
 * each on a new TCP connection as v0.2 nodes do: connect, send one {@code UPT@...} line, wait until the
 * tracker closes the connection (the update was handled), close, start the next. No thread per connection,
 * so the generator spends little CPU per update (the tracker shares the machine).
 */
final class UptLoad implements Runnable {

    /** Supplies the next UPT line (with CR LF) as bytes; called on the loop thread. */
    interface Lines {
        byte[] next();
    }

    private final InetSocketAddress target;
    private final int concurrency;
    private final Lines lines;
    private final AtomicBoolean stop;
    final AtomicLong done = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile String lastError;

    UptLoad(InetSocketAddress target, int concurrency, Lines lines, AtomicBoolean stop) {
        this.target = target;
        this.concurrency = concurrency;
        this.lines = lines;
        this.stop = stop;
    }

    private static final class Exchange {
        final ByteBuffer out;

        Exchange(byte[] line) {
            out = ByteBuffer.wrap(line);
        }
    }

    @Override
    public void run() {
        ByteBuffer in = ByteBuffer.allocate(512);
        try (Selector sel = Selector.open()) {
            int open = 0;
            for (int i = 0; i < concurrency; i++) {
                if (begin(sel)) open++;
            }
            while (open > 0) {
                sel.select(100);
                Iterator<SelectionKey> it = sel.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    SocketChannel ch = (SocketChannel) k.channel();
                    Exchange x = (Exchange) k.attachment();
                    boolean finished = false;
                    try {
                        if (k.isConnectable()) {
                            ch.finishConnect();
                            ch.write(x.out);
                            k.interestOps(x.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                        } else if (k.isWritable()) {
                            ch.write(x.out);
                            if (!x.out.hasRemaining()) k.interestOps(SelectionKey.OP_READ);
                        } else if (k.isReadable()) {
                            in.clear();
                            int n = ch.read(in);
                            if (n < 0) {
                                done.incrementAndGet();
                                finished = true;
                            } else if (n > 0) {
                                lastError = "unexpected reply to UPT: "
                                        + new String(in.array(), 0, n, StandardCharsets.US_ASCII).strip();
                                errors.incrementAndGet();
                                finished = true;
                            }
                        }
                    } catch (IOException e) {
                        lastError = e.toString();
                        errors.incrementAndGet();
                        finished = true;
                    }
                    if (finished) {
                        k.cancel();
                        closeQuietly(ch);
                        open--;
                        if (begin(sel)) open++;
                    }
                }
            }
        } catch (IOException e) {
            lastError = e.toString();
            errors.incrementAndGet();
        }
    }

    /** Starts one exchange unless stopping; false if none was started. */
    private boolean begin(Selector sel) {
        if (stop.get()) return false;
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Exchange x = new Exchange(lines.next());
            if (ch.connect(target)) {
                ch.write(x.out);
                ch.register(sel, x.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ, x);
            } else {
                ch.register(sel, SelectionKey.OP_CONNECT, x);
            }
            return true;
        } catch (IOException e) {
            lastError = e.toString();
            errors.incrementAndGet();
            closeQuietly(ch);
            // back off a little so that a dead target does not spin the loop
            try {
                Thread.sleep(10);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return !stop.get() && begin(sel);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
