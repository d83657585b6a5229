package io.egoist.tracker;

import io.egoist.wire.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A node's echo port (main port + 1) for removal tests: {@link #answering()} echoes every line like a v0.2
 * echo port, {@link #silent()} accepts connections but never answers, {@link #dead()} is a port with nothing
 * listening. {@link #node()} is the id whose echo port this is.
 */
final class EchoStub implements AutoCloseable {
    private final ServerSocket server;
    private final NodeId node;

    private EchoStub(ServerSocket server, NodeId node) {
        this.server = server;
        this.node = node;
    }

    static EchoStub answering() throws IOException {
        return answeringOnceOpened(new CountDownLatch(0));
    }

    /** Echoes lines like {@link #answering()}, but each answer waits until {@code gate} is open. */
    static EchoStub answeringOnceOpened(CountDownLatch gate) throws IOException {
        ServerSocket ss = bind();
        EchoStub stub = new EchoStub(ss, idFor(ss.getLocalPort()));
        Thread t = new Thread(
                () -> {
                    while (!ss.isClosed()) {
                        try {
                            Socket s = ss.accept();
                            Thread c = new Thread(() -> echo(s, gate), "echo-conn");
                            c.setDaemon(true);
                            c.start();
                        } catch (IOException e) {
                            return;
                        }
                    }
                },
                "echo-accept");
        t.setDaemon(true);
        t.start();
        return stub;
    }

    static EchoStub silent() throws IOException {
        ServerSocket ss = bind();
        return new EchoStub(ss, idFor(ss.getLocalPort()));
    }

    static NodeId dead() throws IOException {
        try (ServerSocket ss = bind()) {
            return idFor(ss.getLocalPort());
        }
    }

    NodeId node() {
        return node;
    }

    private static ServerSocket bind() throws IOException {
        while (true) {
            ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            if (ss.getLocalPort() > 1) return ss;
            ss.close();
        }
    }

    private static NodeId idFor(int echoPort) {
        return new NodeId("127.0.0.1", echoPort - 1);
    }

    private static void echo(Socket s, CountDownLatch gate) {
        try (s;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                gate.await();
                out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException | InterruptedException ignored) {
            // peer went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
