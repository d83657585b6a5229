package io.egoist.compat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Many passive v0.2 nodes behind one selector thread, to stand in for a big overlay without one thread per
 * socket: each has a main port P (accepts, records every line, never writes; TRD closes) and an echo port P + 1
 * (returns every byte unchanged, as the v0.2 echo returns every line). They do not register or announce
 * themselves; a test puts them into a tracker's overlay directly ({@link V02Tracker#preRegister}).
 */
final class V02Crowd implements AutoCloseable {
    private final Selector selector;
    private final List<String> ids = new ArrayList<>();
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<String> mainLines = new CopyOnWriteArrayList<>();
    private final Thread loop;
    private volatile boolean closed;

    private record Conn(boolean echo, StringBuilder pending) {}

    V02Crowd(int size) throws IOException {
        selector = Selector.open();
        InetAddress lo = InetAddress.getLoopbackAddress();
        while (ids.size() < size) {
            ServerSocketChannel main = ServerSocketChannel.open();
            main.bind(new InetSocketAddress(lo, 0), 50);
            int p = main.socket().getLocalPort();
            ServerSocketChannel echo = ServerSocketChannel.open();
            try {
                if (p == 65535) throw new IOException("no echo port");
                echo.bind(new InetSocketAddress(lo, p + 1), 50);
            } catch (IOException busy) {
                echo.close();
                main.close();
                continue;
            }
            for (ServerSocketChannel s : List.of(main, echo)) {
                s.configureBlocking(false);
                s.register(selector, SelectionKey.OP_ACCEPT, s == echo);
                servers.add(s);
            }
            ids.add("127.0.0.1:" + p);
        }
        loop = new Thread(this::run, "v02-crowd");
        loop.setDaemon(true);
        loop.start();
    }

    List<String> ids() {
        return List.copyOf(ids);
    }

    /** Every line received on any main port. */
    List<String> mainLines() {
        return List.copyOf(mainLines);
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (!closed) {
            try {
                selector.select(200);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (!k.isValid()) continue;
                    if (k.isAcceptable()) {
                        SocketChannel c = ((ServerSocketChannel) k.channel()).accept();
                        if (c == null) continue;
                        c.configureBlocking(false);
                        c.register(
                                selector,
                                SelectionKey.OP_READ,
                                new Conn((Boolean) k.attachment(), new StringBuilder()));
                    } else if (k.isReadable()) {
                        read(k, buf);
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                if (!closed) throw new IllegalStateException(e);
            }
        }
    }

    private void read(SelectionKey k, ByteBuffer buf) {
        SocketChannel c = (SocketChannel) k.channel();
        Conn conn = (Conn) k.attachment();
        buf.clear();
        int n;
        try {
            n = c.read(buf);
            if (n < 0) {
                close(k);
                return;
            }
            buf.flip();
            if (conn.echo()) {
                while (buf.hasRemaining()) c.write(buf); // small lines: the socket buffer takes them
                return;
            }
        } catch (IOException e) {
            close(k);
            return;
        }
        conn.pending().append(StandardCharsets.ISO_8859_1.decode(buf));
        int at;
        while ((at = conn.pending().indexOf("\r\n")) >= 0) {
            String line = conn.pending().substring(0, at);
            conn.pending().delete(0, at + 2);
            mainLines.add(line);
            if (line.startsWith("TRD")) {
                close(k);
                return;
            }
        }
    }

    private static void close(SelectionKey k) {
        k.cancel();
        try {
            k.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) close(k);
        for (ServerSocketChannel s : servers) s.close();
        selector.close();
    }
}
