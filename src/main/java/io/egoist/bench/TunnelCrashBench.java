package io.egoist.bench;

import io.egoist.tunnel.Service;
import io.egoist.tunnel.TunnelLimits;
import io.egoist.tunnel.TunnelPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code egoist bench tunnel --crash}: the stall of a TCP stream and of a UDP flow while the first relay on their
 * path dies. Per run: a fresh ring of four nodes (source, relay, relay, destination; {@link TunnelPath}), a TCP
 * forward carrying a paced stream (8 KiB every 2 ms, a known byte pattern checked at the sink) and a UDP forward
 * carrying 1,000 numbered datagrams/s, both towards sinks at the destination that time every arrival. After a
 * warm-up the first relay dies: {@code kill} closes it (its sockets close, as when its process dies), {@code hang}
 * freezes it (silent, sockets open, frames dropped: only timeouts reveal it). The stall is the longest gap
 * between two arrivals from the kill until the end of the run (8 s), next to the longest gap in the 2 s before
 * the kill (the noise of this machine). Figures, not assertions.
 */
public final class TunnelCrashBench {
    private TunnelCrashBench() {}

    static final long WARMUP_MS = 3_000, AFTER_MS = 8_000;

    /** Runs {@code runs} crashes; returns each run's figures and the medians. */
    public static Map<String, Object> run(int runs, String mode, PrintWriter log) throws Exception {
        if (!mode.equals("kill") && !mode.equals("hang")) throw new IllegalArgumentException("mode kill or hang");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("crash_mode", mode);
        out.put("loadavg_before", loadavg());
        List<Map<String, Object>> all = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Map<String, Object> one = once(mode);
            log.println("crash run " + (r + 1) + ": " + one);
            log.flush();
            all.add(one);
        }
        out.put("runs", all);
        for (String k : List.of(
                "tcp_stall_ms",
                "udp_stall_ms",
                "tcp_max_gap_before_ms",
                "udp_max_gap_before_ms",
                "udp_lost",
                "tcp_bytes_resent"))
            out.put(
                    "median_" + k,
                    median(all.stream()
                            .mapToDouble(m -> ((Number) m.get(k)).doubleValue())
                            .toArray()));
        out.put("tcp_all_intact", all.stream().allMatch(m -> Boolean.TRUE.equals(m.get("tcp_intact"))));
        out.put("loadavg_after", loadavg());
        return out;
    }

    private static Map<String, Object> once(String mode) throws Exception {
        try (Sinks sinks = new Sinks()) {
            List<Service> exposed = List.of(
                    new Service("tcpsink", Service.Proto.TCP, "127.0.0.1", sinks.tcp.getLocalPort()),
                    new Service("udpsink", Service.Proto.UDP, "127.0.0.1", sinks.udp.getLocalPort()));
            try (TunnelPath ring = TunnelPath.start(4, Map.of(3, exposed), TunnelLimits.DEFAULTS)) {
                if (!ring.awaitReady(60_000)) throw new IllegalStateException("the 4-node overlay did not form");
                InetSocketAddress tcpTo = TunnelBench.forward(ring, "tcp", "tcpsink"),
                        udpTo = TunnelBench.forward(ring, "udp", "udpsink");
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong sent = new AtomicLong();
                Thread udpSender = daemon(() -> sendDatagrams(udpTo, stop, sent));
                long[] written = {0};
                boolean intact;
                long killAt, start;
                try (Socket s = new Socket(tcpTo.getAddress(), tcpTo.getPort())) {
                    OutputStream o = s.getOutputStream();
                    start = System.nanoTime();
                    long end = Long.MAX_VALUE;
                    killAt = start + WARMUP_MS * 1_000_000L;
                    boolean killed = false;
                    byte[] chunk = new byte[8 * 1024];
                    while (System.nanoTime() < end) {
                        for (int i = 0; i < chunk.length; i++) chunk[i] = Sinks.pattern(written[0] + i);
                        o.write(chunk); // blocks while the stream stalls: the pattern keeps its offsets
                        written[0] += chunk.length;
                        if (!killed && System.nanoTime() >= killAt) {
                            killed = true;
                            killAt = System.nanoTime();
                            if (mode.equals("kill")) ring.node(1).close(); // the first relay dies: its sockets close
                            else { // it hangs: silent, sockets open, frames vanish; noticed by heartbeats only
                                ring.node(1).tunnels().freeze();
                                ring.node(1).freeze();
                            }
                            end = killAt + AFTER_MS * 1_000_000L;
                        }
                        LockSupport.parkNanos(2_000_000);
                    }
                    stop.set(true);
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (sinks.tcpRead() < written[0] && System.nanoTime() < deadline) Thread.sleep(5);
                    intact = sinks.tcpRead() == written[0] && sinks.tcpIntact();
                }
                udpSender.join(5_000);
                Thread.sleep(300);
                Map<String, Object> counters = ring.node(0)
                        .tunnels()
                        .forwards()
                        .get(5, TimeUnit.SECONDS)
                        .get(0)
                        .counters();
                Map<String, Object> m = new LinkedHashMap<>();
                long before = start + 1_000_000_000L; // the stretch before the kill, after a second's warm-up
                m.put("tcp_stall_ms", sinks.tcpTimes.maxGapMs(killAt, Long.MAX_VALUE));
                m.put("udp_stall_ms", sinks.udpTimes.maxGapMs(killAt, Long.MAX_VALUE));
                m.put("tcp_max_gap_before_ms", sinks.tcpTimes.maxGapMs(before, killAt));
                m.put("udp_max_gap_before_ms", sinks.udpTimes.maxGapMs(before, killAt));
                m.put("udp_sent", sent.get());
                m.put("udp_received", sinks.udpReceived());
                m.put("udp_lost", sent.get() - sinks.udpReceived());
                m.put("tcp_bytes", written[0]);
                m.put("tcp_intact", intact);
                m.put("tcp_bytes_resent", counters.get("bytes_resent"));
                return m;
            }
        }
    }

    /** 1,000 numbered 200-byte datagrams per second until {@code stop}; counts them in {@code sent}. */
    private static void sendDatagrams(InetSocketAddress to, AtomicBoolean stop, AtomicLong sent) {
        try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] d = new byte[200];
            long n = 0, start = System.nanoTime();
            while (!stop.get()) {
                long due = (System.nanoTime() - start) / 1_000_000;
                while (n < due) {
                    ByteBuffer.wrap(d).putLong(n++);
                    c.send(new DatagramPacket(d, d.length, to));
                    sent.incrementAndGet();
                }
                LockSupport.parkNanos(500_000);
            }
        } catch (IOException e) {
            // the run reports what arrived
        }
    }

    static String loadavg() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "bench-crash");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        if (s.length == 0) return Double.NaN;
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Arrival times (System.nanoTime), appended by one thread, read after it stopped. */
    static final class Times {
        private long[] t = new long[1 << 16];
        private int n;

        synchronized void add(long nanos) {
            if (n == t.length) t = Arrays.copyOf(t, n * 2);
            t[n++] = nanos;
        }

        /** The longest gap (ms) between consecutive arrivals, counting from {@code from} (before the first). */
        synchronized double maxGapMs(long from, long to) {
            long prev = from, max = 0;
            for (int i = 0; i < n; i++) {
                if (t[i] < from) continue;
                if (t[i] > to) break;
                max = Math.max(max, t[i] - prev);
                prev = t[i];
            }
            return max / 1e6;
        }
    }

    /** The destination's sinks: TCP (checks the pattern, times each read) and UDP (times each datagram). */
    private static final class Sinks implements AutoCloseable {
        final ServerSocket tcp = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        final DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        final Times tcpTimes = new Times(), udpTimes = new Times();
        private volatile long tcpRead, udpReceived;
        private volatile boolean tcpIntact = true;

        static byte pattern(long offset) {
            return (byte) (offset * 31 + (offset >>> 11));
        }

        Sinks() throws IOException {
            daemon(() -> {
                try (Socket c = tcp.accept();
                        InputStream in = c.getInputStream()) {
                    byte[] b = new byte[64 * 1024];
                    int k;
                    long at = 0;
                    while ((k = in.read(b)) > 0) {
                        tcpTimes.add(System.nanoTime());
                        for (int i = 0; i < k; i++) if (b[i] != pattern(at + i)) tcpIntact = false;
                        at += k;
                        tcpRead = at;
                    }
                } catch (IOException e) {
                    // the run ended
                }
            });
            daemon(() -> {
                byte[] b = new byte[2_048];
                DatagramPacket p = new DatagramPacket(b, b.length);
                while (!udp.isClosed()) {
                    try {
                        udp.receive(p);
                        udpTimes.add(System.nanoTime());
                        udpReceived++;
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        long tcpRead() {
            return tcpRead;
        }

        boolean tcpIntact() {
            return tcpIntact;
        }

        long udpReceived() {
            return udpReceived;
        }

        @Override
        public void close() throws IOException {
            tcp.close();
            udp.close();
        }
    }
}
