package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.wire.NodeId;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stranger who knows a live stream's flow id and both node ids sends its ends forged stream frames (built here
 * byte by byte): data at huge, negative, past and future offsets, acknowledgements of bytes never sent, closes at
 * wrong offsets. None of them changes the stream (its bytes still arrive exactly, it stays open) and none is
 * buffered (what the nodes hold stays within a window).
 */
class StreamForgeryTest {
    private static final int MB = 1024 * 1024;

    static byte[] frame(int kind, NodeId dst, NodeId src, long flow, long seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(5 + 31 + payload.length);
        b.put((byte) 0).putInt(31 + payload.length); // marker, body length
        b.put((byte) 1).put((byte) kind).put((byte) 32); // version, kind, ttl
        id(b, dst);
        id(b, src);
        b.putLong(flow).putLong(seq).put(payload);
        return b.array();
    }

    private static void id(ByteBuffer b, NodeId id) {
        for (String octet : id.ip().split("\\.")) b.put((byte) Integer.parseInt(octet));
        b.putShort((short) id.port());
    }

    private static byte[] ack(long received) {
        return ByteBuffer.allocate(9).putLong(received).put((byte) 1).array(); // with the gap flag
    }

    /** Every kind of forged frame an end must ignore, as if from {@code from} to {@code to}. */
    private static void forge(OutputStream out, NodeId to, NodeId from, long flow, long received) throws Exception {
        byte[] evil = new byte[1_000];
        Arrays.fill(evil, (byte) 'E');
        long[] dataAt = {1L << 40, Long.MAX_VALUE - 10, -500, 0, received - 1_000, received + 1_000, Long.MIN_VALUE};
        for (long at : dataAt) out.write(frame(Frames.DATA, to, from, flow, at, evil));
        for (int i = 0; i < 5_000; i++) // a flood of gaps: never buffered
        out.write(frame(Frames.DATA, to, from, flow, received + 100 + i, evil));
        out.write(frame(Frames.ACK, to, from, flow, 1L << 40, ack(1L << 41))); // bytes never sent
        out.write(frame(Frames.ACK, to, from, flow, 0, ack(received + 1))); // one byte never sent
        out.write(frame(Frames.ACK, to, from, flow, -1, ack(-1)));
        out.write(frame(Frames.ACK, to, from, flow, 5, ack(2))); // received before written
        out.write(frame(Frames.ACK, to, from, flow, Long.MAX_VALUE, new byte[0]));
        for (long at : new long[] {12_345, 1L << 40, -1, received + 1})
            out.write(frame(Frames.CLOSE, to, from, flow, at, new byte[0]));
        out.write(frame(Frames.ACCEPT, to, from, flow, 0, new byte[0]));
        out.write(frame(Frames.OPEN, to, from, flow, 0, "db".getBytes()));
        out.flush();
    }

    @Test
    void forgedStreamFramesChangeNothingAndAreNotBuffered() throws Exception {
        try (EchoServices services = new EchoServices();
                TunnelPath path = TunnelPath.start(
                        2,
                        Map.of(1, List.of(new Service("db", Service.Proto.TCP, "127.0.0.1", services.tcpPort()))),
                        TunnelLimits.DEFAULTS)) {
            assertThat(path.awaitReady(30_000))
                    .as("pair ready:%n%s", path.describe())
                    .isTrue();
            Forward.Info f = StreamResumeTest.forward(path, 1, "db");
            NodeId a = path.node(0).id(), b = path.node(1).id();
            Random rnd = new Random(5);
            byte[] first = new byte[MB], second = new byte[MB];
            rnd.nextBytes(first);
            rnd.nextBytes(second);
            MessageDigest echoed = MessageDigest.getInstance("SHA-256");
            try (Socket s = new Socket("127.0.0.1", f.port())) {
                s.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] back = new byte[MB];
                s.getOutputStream().write(first);
                in.readFully(back);
                echoed.update(back);

                List<TunnelNode.FlowKey> atExit =
                        path.node(1).tunnels().flowKeys().get(5, TimeUnit.SECONDS);
                List<TunnelNode.FlowKey> atSource =
                        path.node(0).tunnels().flowKeys().get(5, TimeUnit.SECONDS);
                assertThat(atExit).hasSize(1);
                assertThat(atSource).hasSize(1);
                long flow = atExit.get(0).flow();

                for (int target = 0; target < 2; target++) {
                    NodeId to = target == 0 ? b : a, from = target == 0 ? a : b;
                    TunnelNode plane = path.node(target == 0 ? 1 : 0).tunnels();
                    long malformed = plane.counters()[4];
                    try (Socket stranger = new Socket("127.0.0.1", to.port())) {
                        OutputStream out = stranger.getOutputStream();
                        forge(out, to, from, flow, MB);
                        // a frame of another version last: once it is counted, every forged frame was handled
                        out.write(new byte[] {0, 0, 0, 0, 40, 9});
                        out.write(new byte[39]);
                        out.flush();
                        await().atMost(Duration.ofSeconds(20)).until(() -> plane.counters()[4] > malformed);
                    }
                }
                for (int i = 0; i < 2; i++) {
                    long held = path.node(i).tunnels().heldBytes().get(5, TimeUnit.SECONDS);
                    assertThat(held)
                            .as("bytes node %d holds after 5,000 forged gap frames of 1,000 bytes", i)
                            .isLessThanOrEqualTo(TunnelLimits.DEFAULTS.streamWindowBytes());
                }
                assertThat(path.node(1).tunnels().flowKeys().get(5, TimeUnit.SECONDS))
                        .isEqualTo(atExit);
                assertThat(path.node(0).tunnels().flowKeys().get(5, TimeUnit.SECONDS))
                        .isEqualTo(atSource);

                // the stream goes on, byte-exact, on the same connection
                s.getOutputStream().write(second);
                in.readFully(back);
                echoed.update(back);
                MessageDigest sent = MessageDigest.getInstance("SHA-256");
                sent.update(first);
                sent.update(second);
                assertThat(echoed.digest()).isEqualTo(sent.digest());
                Map<String, Object> c = StreamResumeTest.counters(path, f);
                assertThat(c.get("streams")).isEqualTo(1);
                assertThat(c.get("bytes_out")).isEqualTo(2L * MB);
                assertThat(c.get("last_error")).isNull();
            }
            assertThat(services.tcpConnections.get()).isEqualTo(1);
        }
    }
}
