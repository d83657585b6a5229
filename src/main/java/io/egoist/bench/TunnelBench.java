package io.egoist.bench;

import io.egoist.tunnel.Forward;
import io.egoist.tunnel.Service;
import io.egoist.tunnel.TunnelLimits;
import io.egoist.tunnel.TunnelPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code egoist bench tunnel}: tunnels on loopback, source → two relays → destination, each a separate node
 * ({@link TunnelPath}, emulated delays off for frames). Measures UDP datagrams/s and loss at fixed offered rates,
 * the latency a relay adds (echo round trips through a 4-node ring, two relays, minus those through a 2-node
 * pair, no relay, halved), TCP bulk MB/s through the two relays next to a direct loopback TCP connection in the
 * same run, and the process heap while a relayed TCP stream is saturated. Figures, not assertions.
 */
public final class TunnelBench {
    private TunnelBench() {}

    /** Settings. */
    public record Settings(int[] udpRates, double secondsPerRate, int tcpMegabytes, int latencySamples) {}

    /** Runs everything; prints progress to {@code log}; returns the figures. */
    public static Map<String, Object> run(Settings s, PrintWriter log) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("loadavg_before", loadavg());
        try (Services svc = new Services()) {
            List<Service> exposed = List.of(
                    new Service("sink", Service.Proto.UDP, "127.0.0.1", svc.sinkPort()),
                    new Service("echo", Service.Proto.UDP, "127.0.0.1", svc.udpEcho.getLocalPort()),
                    new Service("bulk", Service.Proto.TCP, "127.0.0.1", svc.tcpSink.getLocalPort()));
            try (TunnelPath ring = TunnelPath.start(4, Map.of(3, exposed), TunnelLimits.DEFAULTS)) {
                if (!ring.awaitReady(60_000)) throw new IllegalStateException("the 4-node overlay did not form");
                try (TunnelPath pair = TunnelPath.start(2, Map.of(1, exposed), TunnelLimits.DEFAULTS)) {
                    if (!pair.awaitReady(60_000)) throw new IllegalStateException("the 2-node overlay did not form");
                    log.println("2 nodes and 4 nodes (source > relay > relay > destination) ready: echo round trips,"
                            + " alternating between no relay and two relays");
                    log.flush();
                    out.putAll(EchoRounds.measure(
                            forward(pair, "udp", "echo"), forward(ring, "udp", "echo"), s.latencySamples));
                }
                InetSocketAddress udp = forward(ring, "udp", "sink");
                List<Object> steps = new java.util.ArrayList<>();
                openSession(udp, svc);
                for (int rate : s.udpRates) {
                    Map<String, Object> step = udpStep(udp, svc, rate, s.secondsPerRate, ring);
                    log.println("udp " + step);
                    log.flush();
                    steps.add(step);
                }
                out.put("udp_1200B", steps);
                out.put("udp_forward_counters", udpForward(ring).counters());
                for (int i = 0; i < 4; i++)
                    out.put(
                            "tunnel_plane_node" + i,
                            Arrays.toString(ring.node(i).tunnels().counters()));

                long bytes = (long) s.tcpMegabytes << 20;
                InetSocketAddress tcp = forward(ring, "tcp", "bulk");
                InetSocketAddress sink = new InetSocketAddress("127.0.0.1", svc.tcpSink.getLocalPort());
                // first an untimed stream through the relays, at least 1 GiB, for the memory figures (forced GCs
                // every 0.5 s); it also warms up: without it the JIT compiling the relayed path took 1.4-2.6 CPU
                // seconds per GB of the timed 256 MB stream (a core of two, measured per thread)
                long[] heap = {0};
                long[] held = {0};
                tcpRate(
                        tcp,
                        svc,
                        Math.max(bytes, 1L << 30),
                        () -> {
                            heap[0] = Math.max(heap[0], heapAfterGc());
                            try {
                                held[0] = Math.max(
                                        held[0],
                                        ring.node(1).tunnels().heldBytes().get(5, TimeUnit.SECONDS));
                            } catch (Exception e) {
                                // not sampled
                            }
                        },
                        new double[1],
                        0,
                        new double[1],
                        null);
                // then rounds of a direct stream and a stream through the relays, run alike (no sampling); the
                // figures are the medians over the rounds (the ratio: of the rounds' own ratios)
                int rounds = 3;
                double[] direct = new double[rounds], tunnel = new double[rounds], ratio = new double[rounds];
                double[] directCpu = new double[rounds], tunnelCpu = new double[rounds];
                double[] directBusiest = new double[rounds], tunnelBusiest = new double[rounds];
                Map<String, Double> tunnelThreads = new LinkedHashMap<>();
                List<String> perRound = new java.util.ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    double[] cpu = new double[2], busiest = new double[2];
                    tunnelThreads.clear(); // the last round's
                    direct[r] = tcpRate(sink, svc, bytes, null, cpu, 0, busiest, null);
                    tunnel[r] = tcpRate(tcp, svc, bytes, null, cpu, 1, busiest, tunnelThreads);
                    ratio[r] = tunnel[r] / direct[r];
                    directCpu[r] = cpu[0];
                    tunnelCpu[r] = cpu[1];
                    directBusiest[r] = busiest[0];
                    tunnelBusiest[r] = busiest[1];
                    perRound.add(String.format(
                            java.util.Locale.ROOT, "%.0f / %.0f MB/s = %.3f", tunnel[r], direct[r], ratio[r]));
                    log.println("tcp round " + (r + 1) + ": two relays / direct " + perRound.get(r));
                    log.flush();
                }
                out.put("tcp_MBps_two_relays", TunnelCrashBench.median(tunnel));
                out.put("tcp_MBps_direct", TunnelCrashBench.median(direct));
                out.put("tcp_ratio_to_direct", TunnelCrashBench.median(ratio));
                out.put("tcp_rounds_two_relays_over_direct", perRound);
                // CPU seconds (whole process: nodes, client, sink) per GB moved; when both runs are CPU-bound on the
                // same cores, direct/tunnel CPU per GB is the share of direct the tunnel can reach
                double tunnelCpuGB = TunnelCrashBench.median(tunnelCpu),
                        directCpuGB = TunnelCrashBench.median(directCpu);
                out.put("tcp_cpu_s_per_GB_two_relays", tunnelCpuGB);
                out.put("tcp_cpu_s_per_GB_direct", directCpuGB);
                out.put("tcp_ratio_bound_by_cpu", directCpuGB / tunnelCpuGB);
                // the same per thread: each stage (the sender, each node's loop, the sink) could have a core of its
                // own on a larger machine, where the busiest one bounds the rate instead of the sum
                double tunnelBusiestGB = TunnelCrashBench.median(tunnelBusiest);
                double directBusiestGB = TunnelCrashBench.median(directBusiest);
                out.put("tcp_cpu_s_per_GB_by_thread_two_relays", tunnelThreads);
                out.put("tcp_cpu_s_per_GB_busiest_thread_two_relays", tunnelBusiestGB);
                out.put("tcp_cpu_s_per_GB_busiest_thread_direct", directBusiestGB);
                out.put("tcp_ratio_bound_core_per_thread", directBusiestGB / tunnelBusiestGB);
                out.put("heap_MB_process_during_stream_after_gc", heap[0] / 1e6);
                out.put("held_KB_relay1_max", held[0] / 1e3);
            }
        }
        out.put("loadavg_after", loadavg());
        return out;
    }

    /** A forward at the path's first node to {@code service} at its last, and the local address it listens on. */
    static InetSocketAddress forward(TunnelPath p, String proto, String service) {
        Forward.Info f = p.node(0)
                .tunnels()
                .addForward(new Forward.Spec(
                        Service.Endpoint.parse(proto + ":127.0.0.1:0"),
                        p.node(p.size() - 1).id(),
                        service))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        return new InetSocketAddress("127.0.0.1", f.port());
    }

    /**
     * Opens the sink's session before the steps: its first datagrams wait (at most 64) while the destination opens
     * its socket, which is setting up, not loss; a few datagrams, then wait until they arrived.
     */
    private static void openSession(InetSocketAddress to, Services svc) throws Exception {
        long before = svc.udpReceived.get();
        try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] d = new byte[1_200];
            for (int i = 0; i < 20; i++) {
                c.send(new DatagramPacket(d, d.length, to));
                Thread.sleep(5);
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (svc.udpReceived.get() - before < 20 && System.nanoTime() < deadline) Thread.sleep(5);
    }

    /** The ring's forward to the UDP sink (the second forward its source holds). */
    private static Forward.Info udpForward(TunnelPath ring) throws Exception {
        return ring.node(0).tunnels().forwards().get(5, TimeUnit.SECONDS).get(1);
    }

    /** Counters of one step that say where its datagrams were lost. */
    private record UdpCounts(long forwardIn, long forwardDropped, long[] congested, long[] noRoute, long[] kernel) {
        static UdpCounts of(TunnelPath ring) throws Exception {
            Map<String, Object> f = udpForward(ring).counters();
            long[] congested = new long[ring.size()], noRoute = new long[ring.size()];
            for (int i = 0; i < ring.size(); i++) {
                long[] c = ring.node(i).tunnels().counters();
                congested[i] = c[2];
                noRoute[i] = c[3];
            }
            return new UdpCounts(
                    ((Number) f.get("datagrams_in")).longValue(),
                    ((Number) f.get("dropped")).longValue(),
                    congested,
                    noRoute,
                    kernelUdpErrors());
        }
    }

    private static Map<String, Object> udpStep(
            InetSocketAddress to, Services svc, int rate, double seconds, TunnelPath ring) throws Exception {
        UdpCounts c0 = UdpCounts.of(ring);
        long before = svc.udpReceived.get();
        long cpu0 = cpuNanos();
        long sent = 0;
        // a connected channel writing one direct buffer: the sender is part of the process whose CPU is measured,
        // so it should cost as little as a datagram can (DatagramSocket.send costs about twice as much)
        try (DatagramChannel c = DatagramChannel.open()) {
            c.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            c.connect(to);
            ByteBuffer d = ByteBuffer.allocateDirect(1_200);
            long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
            long now;
            while ((now = System.nanoTime()) < end) {
                long due = (long) ((now - start) / 1e9 * rate);
                while (sent < due) {
                    d.clear();
                    c.write(d);
                    sent++;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // paced, not spinning: 2 shared cores
            }
        }
        drain(svc);
        long received = svc.udpReceived.get() - before;
        long cpu = cpuNanos() - cpu0;
        UdpCounts c1 = UdpCounts.of(ring);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offered_per_s", rate);
        m.put("sent", sent);
        m.put("received", received);
        m.put("delivered_per_s", received / seconds);
        m.put("loss_pct", sent == 0 ? 0 : 100.0 * (sent - received) / sent);
        // the whole process's CPU (the sender and the sink included) per datagram sent
        m.put("cpu_us_per_datagram", sent == 0 ? 0 : cpu / 1e3 / sent);
        // where the lost ones went: never read by the source node (its socket's buffer overflowed), dropped by a
        // node as congested or without a route, or lost after the last relay (the exit's or the sink's socket)
        long in = c1.forwardIn - c0.forwardIn;
        long[] congested = new long[ring.size()];
        long droppedOnPath = 0;
        for (int i = 0; i < ring.size(); i++) {
            congested[i] = c1.congested[i] - c0.congested[i];
            if (i > 0) droppedOnPath += congested[i] + c1.noRoute[i] - c0.noRoute[i];
        }
        long forwarded = in - (c1.forwardDropped - c0.forwardDropped);
        m.put("lost_before_source_node", sent - in);
        m.put("dropped_congested_per_node", Arrays.toString(congested));
        m.put("dropped_at_source_node", c1.forwardDropped - c0.forwardDropped);
        m.put("dropped_by_relays_and_destination", droppedOnPath);
        m.put("lost_after_the_destination_node", forwarded - droppedOnPath - received);
        // every socket of this machine, so other processes' UDP counts too: RcvbufErrors, InErrors
        m.put("kernel_udp_rcvbuf_errors", c1.kernel[0] - c0.kernel[0]);
        m.put("kernel_udp_in_errors", c1.kernel[1] - c0.kernel[1]);
        return m;
    }

    /**
     * Waits until the sink's count has not moved for 300 ms (at most 10 s): under load, datagrams still queued in
     * sockets and links after the sender stops must count for their step, not the next one.
     */
    private static void drain(Services svc) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L, last = -1;
        int still = 0;
        while (still < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = svc.udpReceived.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
    }

    /** The kernel's UDP RcvbufErrors and InErrors (all sockets of this network namespace), or -1s. */
    private static long[] kernelUdpErrors() {
        try {
            List<String> l = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < l.size(); i++) {
                if (!l.get(i).startsWith("Udp: ") || !l.get(i + 1).startsWith("Udp: ")) continue;
                List<String> names = Arrays.asList(l.get(i).split(" ")),
                        values = Arrays.asList(l.get(i + 1).split(" "));
                return new long[] {
                    Long.parseLong(values.get(names.indexOf("RcvbufErrors"))),
                    Long.parseLong(values.get(names.indexOf("InErrors")))
                };
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or another layout: not reported
        }
        return new long[] {-1, -1};
    }

    /**
     * Writes {@code bytes} to {@code to}, returns MB/s until the sink read them all; puts the process's CPU seconds
     * per GB read into {@code cpu[at]}, those of its busiest thread into {@code busiest[at]}, and (when {@code
     * byThread} is given) each thread's that took at least 0.01 s per GB into {@code byThread}.
     */
    private static double tcpRate(
            InetSocketAddress to,
            Services svc,
            long bytes,
            Runnable sample,
            double[] cpu,
            int at,
            double[] busiest,
            Map<String, Double> byThread)
            throws Exception {
        long before = svc.tcpRead.get();
        long sinkDone0 = svc.tcpSinkConnections.get(), sinkCpu0 = svc.tcpSinkCpuNanos.get();
        Map<String, Long> threads0 = threadCpuNanos();
        long cpu0 = cpuNanos();
        byte[] chunk = new byte[64 * 1024];
        long t0 = System.nanoTime();
        // the first sample early: a fast stream of --tcp-mb can end within half a second, and must be sampled too
        long nextSample = t0 + 100_000_000L;
        try (Socket s = new Socket(to.getAddress(), to.getPort())) {
            OutputStream o = s.getOutputStream();
            for (long w = 0; w < bytes; w += chunk.length) {
                o.write(chunk, 0, (int) Math.min(chunk.length, bytes - w));
                if (sample != null && System.nanoTime() > nextSample) {
                    sample.run();
                    nextSample = System.nanoTime() + 500_000_000L;
                }
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (svc.tcpRead.get() - before < bytes && System.nanoTime() < deadline) Thread.sleep(1);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long read = svc.tcpRead.get() - before;
        // the sink's thread for this stream ends once the close has come through; its CPU is then known
        long sinkDeadline = System.nanoTime() + 5_000_000_000L;
        while (svc.tcpSinkConnections.get() == sinkDone0 && System.nanoTime() < sinkDeadline) Thread.sleep(1);
        cpu[at] = read == 0 ? Double.NaN : (cpuNanos() - cpu0) / 1e9 / (read / 1e9);
        busiest[at] = Double.NaN;
        if (read > 0 && !threads0.isEmpty()) {
            double max = (svc.tcpSinkCpuNanos.get() - sinkCpu0) / 1e9 / (read / 1e9);
            if (byThread != null) byThread.put(SINK_THREAD, round3(max));
            for (var e : threadCpuNanos().entrySet()) {
                double perGb = (e.getValue() - threads0.getOrDefault(e.getKey(), 0L)) / 1e9 / (read / 1e9);
                max = Math.max(max, perGb);
                if (byThread != null && perGb >= 0.01)
                    byThread.merge(e.getKey().substring(0, e.getKey().indexOf('#')), round3(perGb), Double::sum);
            }
            busiest[at] = max;
        }
        return read / 1e6 / secs;
    }

    /**
     * CPU time so far of every thread of this process, the JVM's own (GC, compiler) included, by "name#tid"; the
     * TCP sink's threads are left out: they are counted when they end.
     */
    private static Map<String, Long> threadCpuNanos() {
        Map<String, Long> all = ProcCpu.threadCpuNanos(ProcessHandle.current().pid());
        all.keySet().removeIf(k -> SINK_THREAD.startsWith(k.substring(0, k.indexOf('#'))));
        return all;
    }

    /** CPU time of the whole process so far (every thread), or 0 where the JVM does not tell. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime())
                : 0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The destination's services: a UDP sink (counts), a UDP echo, a TCP sink (counts what it reads). */
    private static final String SINK_THREAD = "bench-tcp-sink";

    private static final class Services implements AutoCloseable {
        final DatagramChannel udpSink = DatagramChannel.open();
        final DatagramSocket udpEcho = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        final ServerSocket tcpSink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicLong udpReceived = new AtomicLong(), tcpRead = new AtomicLong();
        /** CPU time of the TCP sink's connections that ended, and how many ended (one thread each). */
        final AtomicLong tcpSinkCpuNanos = new AtomicLong(), tcpSinkConnections = new AtomicLong();

        Services() throws IOException {
            // the sink reads on its own thread into one direct buffer, with a 4 MiB socket buffer
            udpSink.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            udpSink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            daemon(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65_536);
                while (udpSink.isOpen()) {
                    try {
                        b.clear();
                        udpSink.receive(b);
                        udpReceived.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            daemon(() -> {
                byte[] b = new byte[2_048];
                while (!udpEcho.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(b, b.length);
                        udpEcho.receive(p);
                        udpEcho.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            daemon(() -> {
                while (!tcpSink.isClosed()) {
                    try {
                        Socket c = tcpSink.accept();
                        daemon(SINK_THREAD, () -> {
                            byte[] b = new byte[128 * 1024];
                            try (c;
                                    InputStream in = c.getInputStream()) {
                                int n;
                                while ((n = in.read(b)) > 0) tcpRead.addAndGet(n);
                            } catch (IOException e) {
                                // the connection ended
                            } finally { // its CPU, since the thread is gone when the stream's figures are taken
                                tcpSinkCpuNanos.addAndGet(Math.max(
                                        0, ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()));
                                tcpSinkConnections.incrementAndGet();
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private static void daemon(Runnable r) {
            daemon("bench-service", r);
        }

        private static void daemon(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        }

        int sinkPort() throws IOException {
            return ((InetSocketAddress) udpSink.getLocalAddress()).getPort();
        }

        @Override
        public void close() throws IOException {
            udpSink.close();
            udpEcho.close();
            tcpSink.close();
        }
    }
}
