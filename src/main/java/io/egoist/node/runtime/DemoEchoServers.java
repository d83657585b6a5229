package io.egoist.node.runtime;

import io.egoist.tunnel.Service;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's two small services for its tunnels, on 127.0.0.1: a UDP echo (every datagram back to its sender)
 * and a TCP echo (every byte back on its connection). At most {@link #MAX_TCP_CONNECTIONS} TCP connections at a
 * time; a further one is closed at once. {@link #close()} stops both and waits for their threads.
 */
final class DemoEchoServers implements AutoCloseable {
    static final String UDP_SERVICE = "echo-udp";
    static final String TCP_SERVICE = "echo-tcp";
    /** The demo opens one TCP connection at a time (two around a relay crash); this leaves room. */
    static final int MAX_TCP_CONNECTIONS = 16;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Thread udpThread;
    private final Thread tcpThread;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    DemoEchoServers() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try {
            udp = new DatagramSocket(0, lo);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the demo's UDP echo: " + e.getMessage(), e);
        }
        try {
            tcp = new ServerSocket(0, 50, lo);
        } catch (IOException e) {
            udp.close();
            throw new UncheckedIOException("cannot bind the demo's TCP echo: " + e.getMessage(), e);
        }
        udpThread = new Thread(this::udpLoop, "demo-echo-udp");
        udpThread.setDaemon(true);
        udpThread.start();
        tcpThread = new Thread(this::tcpLoop, "demo-echo-tcp");
        tcpThread.setDaemon(true);
        tcpThread.start();
    }

    int udpPort() {
        return udp.getLocalPort();
    }

    int tcpPort() {
        return tcp.getLocalPort();
    }

    /** The two services as a node exposes them. */
    List<Service> services() {
        String host = InetAddress.getLoopbackAddress().getHostAddress();
        return List.of(
                new Service(UDP_SERVICE, Service.Proto.UDP, host, udpPort()),
                new Service(TCP_SERVICE, Service.Proto.TCP, host, tcpPort()));
    }

    private void udpLoop() {
        byte[] buf = new byte[65_536];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                if (udp.isClosed()) return; // closed: done; otherwise one bad datagram, go on
            }
        }
    }

    private void tcpLoop() {
        while (!tcp.isClosed()) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (tcp.isClosed()) return;
                continue;
            }
            if (connections.size() >= MAX_TCP_CONNECTIONS) {
                closeQuietly(s);
                continue;
            }
            connections.add(s);
            Thread t = new Thread(() -> echo(s), "demo-echo-tcp-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void echo(Socket s) {
        try (s;
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        } catch (IOException e) {
            // the peer (the tunnel's exit) went away
        } finally {
            connections.remove(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : connections) closeQuietly(s);
        try {
            udpThread.join(2_000);
            tcpThread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
