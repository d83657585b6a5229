package io.egoist.compat;

import io.egoist.compat.V02Wire.LineReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain blocking CR LF line client on loopback for the compatibility tests. */
final class RawLine implements AutoCloseable {
    private final Socket socket;
    private final LineReader in;
    private final OutputStream out;

    RawLine(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
        socket.setSoTimeout(5000);
        in = new LineReader(socket.getInputStream());
        out = socket.getOutputStream();
    }

    RawLine send(String line) throws IOException {
        V02Wire.writeLine(out, line);
        return this;
    }

    void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The next line, or null at end of stream. */
    String read() throws IOException {
        return in.readLine();
    }

    /** True if the peer closes the connection (without sending another line) within the timeout. */
    boolean closedWithoutReply() throws IOException {
        try {
            return in.readLine() == null;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** True if the connection is still open after {@code ms} of silence. */
    boolean stillOpenAfter(int ms) throws IOException {
        socket.setSoTimeout(ms);
        try {
            return in.readLine() != null;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    @Override
    public void close() {
        V02Wire.closeQuietly(socket);
    }
}
