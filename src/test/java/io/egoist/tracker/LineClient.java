package io.egoist.tracker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A plain blocking TCP client speaking CR LF lines, as a v0.2 node would (test helper). */
final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    LineClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
    }

    LineClient send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    /** The next line, or null at end of stream (the tracker closed the connection). */
    String readLine() throws IOException {
        return in.readLine();
    }

    /** Reads the lines of a REG reply: one REG line, or OVER...SEG lines and NET lines up to the one without SEG. */
    List<String> readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = in.readLine();
            if (l == null) throw new IOException("connection closed in the middle of a reply after " + lines);
            lines.add(l);
            if (l.startsWith("REG")) return lines;
            if (l.startsWith("NET") && !l.endsWith("SEG")) return lines;
        }
    }

    /** True if the tracker closes the connection without sending anything more. */
    boolean closedByPeer() throws IOException {
        return in.readLine() == null;
    }

    /** Sends one line on a new connection and returns what came back until the tracker closed it. */
    static List<String> exchange(int port, String line) throws IOException {
        try (LineClient c = new LineClient(port)) {
            c.send(line);
            List<String> got = new ArrayList<>();
            String l;
            while ((l = c.readLine()) != null) got.add(l);
            return got;
        }
    }

    /** Sends one line on a new connection and reads one REG reply (or a NACK line). */
    static List<String> exchangeReply(int port, String line) throws IOException {
        try (LineClient c = new LineClient(port)) {
            c.send(line);
            List<String> got = new ArrayList<>();
            String l;
            while ((l = c.readLine()) != null) {
                got.add(l);
                if (l.startsWith("REG") || l.startsWith("NACK") || (l.startsWith("NET") && !l.endsWith("SEG"))) break;
            }
            return got;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
