package io.egoist.node.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Round trips to an echo over UDP or TCP, as an application of a tunnel sees them: each payload carries a
 * sequence number and random bytes, and an answer counts only when it is byte for byte what was sent.
 */
final class DemoRoundTrips {
    /** Bytes per round trip (a sequence number and random bytes). */
    static final int PAYLOAD = 64;

    private DemoRoundTrips() {}

    /** What one round trip gave. */
    enum Outcome {
        /** The exact bytes came back. */
        EXACT,
        /** Something else came back (a corrupted or misordered answer). */
        CORRUPT,
        /** Nothing came back in time (UDP: lost; TCP: the connection is stuck). */
        LOST,
        /** The TCP connection was closed or reset. */
        CLOSED
    }

    /** One client: a UDP socket or a TCP connection to {@code 127.0.0.1:port}. */
    interface Client extends AutoCloseable {
        Outcome roundTrip(long seq);

        @Override
        void close();
    }

    static byte[] payload(long seq, Random random) {
        byte[] b = new byte[PAYLOAD];
        random.nextBytes(b);
        ByteBuffer.wrap(b).putLong(seq);
        return b;
    }

    static Client udp(int port, int timeoutMs, long seed) throws IOException {
        return new Udp(port, timeoutMs, seed);
    }

    static Client tcp(int port, int timeoutMs, long seed) throws IOException {
        return new Tcp(port, timeoutMs, seed);
    }

    private static final class Udp implements Client {
        private final DatagramSocket socket;
        private final int timeoutMs;
        private final Random random;
        private final byte[] in = new byte[2 * PAYLOAD];

        Udp(int port, int timeoutMs, long seed) throws IOException {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            this.timeoutMs = timeoutMs;
            this.random = new Random(seed);
        }

        @Override
        public Outcome roundTrip(long seq) {
            byte[] out = payload(seq, random);
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            try {
                socket.send(new DatagramPacket(out, out.length));
                while (true) {
                    int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                    if (left <= 0) return Outcome.LOST;
                    socket.setSoTimeout(left);
                    DatagramPacket p = new DatagramPacket(in, in.length);
                    socket.receive(p);
                    if (p.getLength() >= 8 && ByteBuffer.wrap(in).getLong() < seq) continue; // a late answer
                    return p.getLength() == PAYLOAD && Arrays.equals(in, 0, PAYLOAD, out, 0, PAYLOAD)
                            ? Outcome.EXACT
                            : Outcome.CORRUPT;
                }
            } catch (SocketTimeoutException e) {
                return Outcome.LOST;
            } catch (IOException e) {
                return Outcome.LOST; // e.g. ICMP unreachable while the forward is re-made: a lost datagram
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static final class Tcp implements Client {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final Random random;

        Tcp(int port, int timeoutMs, long seed) throws IOException {
            socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMs);
                socket.setSoTimeout(timeoutMs);
                socket.setTcpNoDelay(true);
                in = socket.getInputStream();
                out = socket.getOutputStream();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            this.random = new Random(seed);
        }

        @Override
        public Outcome roundTrip(long seq) {
            byte[] sent = payload(seq, random);
            try {
                out.write(sent);
                out.flush();
                byte[] got = in.readNBytes(PAYLOAD);
                if (got.length < PAYLOAD) return Outcome.CLOSED;
                return Arrays.equals(got, sent) ? Outcome.EXACT : Outcome.CORRUPT;
            } catch (SocketTimeoutException e) {
                return Outcome.LOST;
            } catch (IOException e) {
                return Outcome.CLOSED;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
