package io.egoist.bench;

import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.runtime.CoreHost;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerRules;
import io.egoist.tracker.TrackerServer;
import io.egoist.tracker.TrackerSnapshot;
import io.egoist.tracker.TrackerStore;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Loads a tracker the way v0.2 nodes do: N simulated nodes register (REG, reading the whole reply), then send
 * tracker-form UPTs with about four links each, a new TCP connection per UPT (the tracker closes it once the
 * update is handled), as fast as a few client threads can, for S seconds. Then it times extra REGs of new
 * nodes against the overlay that was built (a new node changes the overlay, so every reply is built afresh)
 * and, for an in-process tracker, measures its heap after GC.
 *
 * <p>Blocking sockets: one connection per request and a handful of threads is what the original nodes do,
 * and on two cores it keeps the generator's overhead small.
 */
public final class TrackerBench {

    /** What to run. */
    public record Options(
            int nodes,
            double seconds,
            double warmupSeconds,
            int threads,
            int concurrency,
            int regSamples,
            String targetHost,
            int targetPort,
            long seed,
            boolean baseline,
            int httpLoad,
            String httpHost,
            int httpPort,
            long trackerPid) {
        public boolean inProcess() {
            return targetHost == null;
        }
    }

    /** What was measured. Latencies in ms; heap in bytes (-1 when the tracker runs elsewhere). */
    public record Result(
            String target,
            int nodes,
            int links,
            double seconds,
            long updates,
            double updatesPerSecond,
            long updateErrors,
            int regSamples,
            double regP50Ms,
            double regP99Ms,
            double regMaxMs,
            int regReplyLines,
            int regReplyBytes,
            long trackerHeapBytes,
            double registerSeconds,
            long trackerUpdatesCounted,
            Map<String, Double> cpuMicrosPerUpdate,
            double loadAverage,
            long storeBatches,
            long storeMaxBatchMillis,
            long storeMaxChangeDelayMillis,
            double baselineUpdatesPerSecond,
            Map<String, Double> baselineCpuMicrosPerUpdate,
            String transport,
            int httpLoadClients,
            int regUnderHttpSamples,
            int regFailures,
            double regUnderHttpP50Ms,
            double regUnderHttpP99Ms,
            double regUnderHttpMaxMs,
            long httpResponses,
            long httpBytes,
            long httpErrors) {}

    private final Options o;
    private final Consumer<String> progress;

    public TrackerBench(Options options, Consumer<String> progress) {
        this.o = options;
        this.progress = progress;
    }

    /** Node i's id: 10.x.y.z:7000, distinct for i below 2^24. */
    static NodeId nodeId(int i) {
        int v = i + 1;
        return new NodeId("10." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255), 7000);
    }

    public Result run() throws Exception {
        TrackerServer server = null;
        Path dataDir = null;
        long heapBefore = -1;
        String host = o.targetHost();
        int port = o.targetPort();
        InetSocketAddress httpAddr = o.httpHost() == null ? null : new InetSocketAddress(o.httpHost(), o.httpPort());
        try {
            if (o.inProcess()) {
                heapBefore = usedHeapAfterGc();
                dataDir = Files.createTempDirectory("egoist-bench-tracker");
                server = TrackerServer.start(TrackerConfig.defaults()
                        .withBindHost("127.0.0.1")
                        .withPort(0)
                        .withHttpPort(o.httpLoad() > 0 ? 0 : -1)
                        .withDataDir(dataDir)
                        // one generator plays thousands of nodes (10.x ids) from 127.0.0.1: no source checks,
                        // no per-address REG rate limit
                        .withRules(new TrackerRules(true, 1e9, Integer.MAX_VALUE)));
                host = "127.0.0.1";
                port = server.port();
                if (o.httpLoad() > 0) httpAddr = new InetSocketAddress("127.0.0.1", server.httpPort());
                progress.accept("in-process tracker on " + host + ":" + port + " (data " + dataDir + ")");
            }
            String target = host + ":" + port;
            Random rnd = new Random(o.seed());

            Load load = loadPhase(target, rnd);
            double registerSeconds = load.registerSeconds();
            double elapsed = load.seconds();
            long updatesDone = load.updates();
            long errors = load.errors();
            Map<String, Double> cpuPerUpdateUs = load.cpuMicrosPerUpdate();

            // 3. REG reply latency at the overlay that was built: new nodes, so no reply is cached
            int nodesNow = o.nodes();
            int linksNow = -1;
            long counted = -1;
            if (server != null) {
                TrackerSnapshot s = server.snapshot();
                nodesNow = s.nodeCount();
                linksNow = s.linkCount();
                counted = server.counters().message("UPT");
            }
            for (int w = 0; w < Math.min(50, o.regSamples()); w++)
                register(hostPort(target), nodeId(o.nodes() + 100_000 + w)); // warm-up
            InetSocketAddress addr = hostPort(target);
            int[] lb = new int[3];
            double[] lat = timeRegs(addr, 200_000, o.regSamples(), lb);
            int lines = lb[0], bytes = lb[1];
            int regFailures = lb[2];

            // 3b. the same with concurrent /api/overlay readers (new connection per request, like a curl loop)
            double[] latHttp = new double[0];
            HttpLoad.Totals httpTotals = new HttpLoad.Totals(0, 0, 0);
            if (o.httpLoad() > 0 && httpAddr != null) {
                progress.accept(o.httpLoad() + " clients reading /api/overlay in a loop; timing REGs again");
                try (HttpLoad hl = HttpLoad.start(httpAddr, o.httpLoad())) {
                    hl.awaitFirstResponses(10_000);
                    int[] lbHttp = new int[3];
                    latHttp = timeRegs(addr, 300_000, o.regSamples(), lbHttp);
                    regFailures += lbHttp[2];
                    httpTotals = hl.stop();
                }
                if (httpTotals.lastError() != null) progress.accept("last HTTP error: " + httpTotals.lastError());
            }

            // 4. heap of the in-process tracker (after GC), with the overlay still held
            long heap = -1;
            if (server != null) heap = Math.max(0, usedHeapAfterGc() - heapBefore);
            TrackerStore.Stats st = server == null
                    ? new TrackerStore.Stats(-1, -1, -1, -1)
                    : server.store().stats();
            String transport = server == null ? "remote" : server.transport();
            if (server != null) {
                server.close();
                server = null;
            }

            // 5. optionally the same load against the bare runtime: a core that closes after one line
            LoadRun base = o.baseline() ? baseline() : null;
            return new Result(
                    target,
                    nodesNow,
                    linksNow,
                    elapsed,
                    updatesDone,
                    updatesDone / elapsed,
                    errors,
                    lat.length,
                    pct(lat, 0.50),
                    pct(lat, 0.99),
                    lat.length == 0 ? 0 : lat[lat.length - 1],
                    lines,
                    bytes,
                    heap,
                    registerSeconds,
                    counted,
                    cpuPerUpdateUs,
                    loadAverage(),
                    st.batches(),
                    st.maxBatchMillis(),
                    st.maxChangeDelayMillis(),
                    base == null ? -1 : base.updates() / base.seconds(),
                    base == null ? Map.of() : base.cpuMicrosPerUpdate(),
                    transport,
                    o.httpLoad() > 0 && httpAddr != null ? o.httpLoad() : 0,
                    latHttp.length,
                    regFailures,
                    pct(latHttp, 0.50),
                    pct(latHttp, 0.99),
                    latHttp.length == 0 ? 0 : latHttp[latHttp.length - 1],
                    httpTotals.responses(),
                    httpTotals.bytes(),
                    httpTotals.errors());
        } finally {
            if (server != null) server.close();
            if (dataDir != null) deleteTree(dataDir);
        }
    }

    /**
     * Times up to {@code lat.length} REGs of new nodes (ids from {@code idBase}) for at most {@link #REG_PHASE_NANOS}:
     * returns the sorted latencies in ms of those done (a REG that failed, e.g. timed out after 30 s, counts with
     * the time it took) and sets {@code lb} to {lines, bytes, failures}.
     */
    private double[] timeRegs(InetSocketAddress addr, int idBase, int samples, int[] lb) {
        double[] lat = new double[samples];
        long end = System.nanoTime() + REG_PHASE_NANOS;
        int k = 0;
        for (; k < samples && System.nanoTime() < end; k++) {
            long a = System.nanoTime();
            try {
                int[] r = register(addr, nodeId(o.nodes() + idBase + k));
                lb[0] = r[0];
                lb[1] = r[1];
            } catch (IOException e) {
                lb[2]++;
                progress.accept("REG failed: " + e);
            }
            lat[k] = (System.nanoTime() - a) / 1e6;
        }
        lat = Arrays.copyOf(lat, k);
        Arrays.sort(lat);
        return lat;
    }

    /** A REG timing phase stops after this long (REGs that take seconds under a hostile load would take hours). */
    static final long REG_PHASE_NANOS = 90_000_000_000L;

    private record Load(
            double registerSeconds,
            long updates,
            double seconds,
            long errors,
            Map<String, Double> cpuMicrosPerUpdate) {}

    /** Registration, one UPT per node, then the UPT load; the generator's data is garbage afterwards. */
    private Load loadPhase(String target, Random rnd) throws Exception {
        // 1. registration (client threads: max(threads, 4)), then one UPT each so that the overlay has about 4 links
        // per node
        long t0 = System.nanoTime();
        parallel(o.nodes(), i -> register(hostPort(target), nodeId(i)));
        double registerSeconds = (System.nanoTime() - t0) / 1e9;
        progress.accept(String.format("registered %d nodes in %.1f s", o.nodes(), registerSeconds));
        String[][] updates = prepareUpdates(rnd);
        parallel(o.nodes(), i -> update(hostPort(target), updates[i][0]));
        byte[][][] updateBytes = new byte[o.nodes()][][];
        for (int i = 0; i < o.nodes(); i++) {
            updateBytes[i] = new byte[updates[i].length][];
            for (int v = 0; v < updates[i].length; v++)
                updateBytes[i][v] = (updates[i][v] + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        progress.accept("initial updates sent; overlay has ~" + 4 * o.nodes() + " links");

        // 2. UPT load: a new connection per UPT, as fast as the generator loops can for S seconds
        LoadRun run = runLoad(hostPort(target), me -> {
            int[] cursor = {me, 0};
            return () -> {
                int i = cursor[0];
                byte[] line = updateBytes[i][1 + cursor[1] % (updateBytes[i].length - 1)];
                cursor[0] += o.threads();
                if (cursor[0] >= o.nodes()) {
                    cursor[0] = me;
                    cursor[1]++;
                }
                return line;
            };
        });
        return new Load(registerSeconds, run.updates(), run.seconds(), run.errors(), run.cpuMicrosPerUpdate());
    }

    /** What one load run measured. */
    private record LoadRun(long updates, double seconds, long errors, Map<String, Double> cpuMicrosPerUpdate) {}

    /**
     * Runs the generator loops against {@code addr}: warm-up, then {@code seconds} measured, with progress once
     * a second and CPU time per completed exchange for each thread group.
     */
    private LoadRun runLoad(InetSocketAddress addr, java.util.function.IntFunction<UptLoad.Lines> linesForLoop)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<UptLoad> loads = new ArrayList<>();
        List<Thread> loopThreads = new ArrayList<>();
        for (int t = 0; t < o.threads(); t++) {
            UptLoad load = new UptLoad(addr, o.concurrency(), linesForLoop.apply(t), stop);
            loads.add(load);
            loopThreads.add(new Thread(load, "bench-upt-" + t));
        }
        loopThreads.forEach(Thread::start);
        if (o.warmupSeconds() > 0) {
            progress.accept(String.format("warm-up %.1f s (not counted)", o.warmupSeconds()));
            Thread.sleep((long) (o.warmupSeconds() * 1000));
        }
        long countedBefore = loads.stream().mapToLong(l -> l.done.get()).sum();
        Map<String, Long> cpuBefore = cpuByGroup(o.trackerPid());
        long start = System.nanoTime();
        long end = start + (long) (o.seconds() * 1e9);
        long lastReport = start;
        long lastCount = countedBefore;
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
            long now = System.nanoTime();
            if (now - lastReport >= 1_000_000_000L || now >= end) {
                long c = loads.stream().mapToLong(l -> l.done.get()).sum();
                progress.accept(String.format(
                        "  %4.1f s  %,d UPT  (%,.0f UPT/s)",
                        (now - start) / 1e9, c - countedBefore, (c - lastCount) / ((now - lastReport) / 1e9)));
                lastReport = now;
                lastCount = c;
            }
        }
        long updatesDone = loads.stream().mapToLong(l -> l.done.get()).sum() - countedBefore;
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<String, Long> cpuAfter = cpuByGroup(o.trackerPid());
        Map<String, Double> cpuPerUpdateUs = new LinkedHashMap<>();
        for (String g : cpuAfter.keySet()) {
            long d0 = cpuAfter.get(g) - cpuBefore.getOrDefault(g, 0L);
            if (d0 == 0 && !g.equals("generator") && !g.equals("process")) continue; // group not running
            if (d0 < 0) continue; // not measurable
            long d = cpuAfter.get(g) - cpuBefore.getOrDefault(g, 0L);
            cpuPerUpdateUs.put(g, updatesDone == 0 ? 0 : Math.round(d / 1e3 / updatesDone * 10) / 10.0);
        }
        stop.set(true);
        for (Thread th : loopThreads) th.join(30_000);
        long errors = loads.stream().mapToLong(l -> l.errors.get()).sum();
        for (UptLoad l : loads) if (l.lastError != null) progress.accept("last UPT error: " + l.lastError);

        return new LoadRun(updatesDone, elapsed, errors, cpuPerUpdateUs);
    }

    /**
     * The generator against the runtime alone: {@link CoreHost} with a core that closes every connection after
     * its first line, so the difference to the tracker run is the tracker's own work (decode, update, store).
     */
    private LoadRun baseline() throws InterruptedException {
        try (CoreHost<CloseAfterLineCore> host = new CoreHost<>(
                new CloseAfterLineCore(),
                new CoreHost.Options().name("baseline").nativeTransport(true))) { // as the tracker
            host.start().join();
            int port = host.listen("127.0.0.1", 0);
            progress.accept("baseline: the same load against CoreHost with a core that only closes, port " + port);
            byte[] line = (WireCodec.encode(new Message.TrackerUpdate(List.of(
                                    new Link(nodeId(0), nodeId(1), 35.2),
                                    new Link(nodeId(0), nodeId(2), 120.125),
                                    new Link(nodeId(0), nodeId(3), 7),
                                    new Link(nodeId(0), nodeId(4), 250.5))))
                            + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            return runLoad(new InetSocketAddress("127.0.0.1", port), me -> () -> line);
        }
    }

    /** The baseline's core: close a connection when its first line arrives. */
    static final class CloseAfterLineCore implements Core {
        @Override
        public List<Effect> start(long nowMillis) {
            return List.of();
        }

        @Override
        public List<Effect> handle(long nowMillis, Event event) {
            if (event instanceof Event.LineReceived e) return List.of(new Effect.Close(e.conn()));
            return List.of();
        }
    }

    /** For each node: [initial UPT line, further UPT lines...], each with 4 links to random other nodes. */
    private String[][] prepareUpdates(Random rnd) {
        int variants = 4;
        String[][] out = new String[o.nodes()][variants + 1];
        for (int i = 0; i < o.nodes(); i++) {
            NodeId src = nodeId(i);
            for (int v = 0; v <= variants; v++) {
                List<Link> links = new ArrayList<>(4);
                for (int k = 0; k < Math.min(4, o.nodes() - 1); k++) {
                    int d;
                    do {
                        d = rnd.nextInt(o.nodes());
                    } while (d == i);
                    links.add(new Link(src, nodeId(d), Math.round(rnd.nextDouble() * 300_000) / 1000.0));
                }
                out[i][v] = WireCodec.encode(new Message.TrackerUpdate(links));
            }
        }
        return out;
    }

    private void parallel(int n, IoTask task) throws Exception {
        int threads = Math.max(4, o.threads());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                fs.add(pool.submit(() -> {
                    for (int i = me; i < n; i += threads) task.run(i);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface IoTask {
        void run(int i) throws IOException;
    }

    private static InetSocketAddress hostPort(String target) {
        int c = target.lastIndexOf(':');
        return new InetSocketAddress(target.substring(0, c), Integer.parseInt(target.substring(c + 1)));
    }

    private static Socket connect(InetSocketAddress addr) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(addr, 5000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** REG on a new connection; reads the whole reply; returns {lines, bytes}. */
    static int[] register(InetSocketAddress addr, NodeId id) throws IOException {
        try (Socket s = connect(addr)) {
            s.getOutputStream().write(("REG@" + id + "\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII), 1 << 16);
            int lines = 0, bytes = 0;
            while (true) {
                String l = in.readLine();
                if (l == null) throw new IOException("tracker closed the connection during the REG reply");
                lines++;
                bytes += l.length() + 2;
                if (l.isEmpty() || l.startsWith("REG") || (l.startsWith("NET") && !l.endsWith("SEG"))) break;
                if (l.startsWith("NACK")) throw new IOException("tracker rejected REG: " + l);
            }
            return new int[] {lines, bytes};
        }
    }

    /** UPT on a new connection; waits until the tracker closes it (the update was handled). */
    static void update(InetSocketAddress addr, String line) throws IOException {
        try (Socket s = connect(addr)) {
            OutputStream out = s.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            int n = in.read(buf);
            if (n > 0)
                throw new IOException(
                        "unexpected reply to UPT: " + new String(buf, 0, n, StandardCharsets.US_ASCII).strip());
        }
    }

    /**
     * CPU time (ns, user + system) used so far by the tracker's event loop ("tracker-loop"), its database
     * writer ("store-writer"), all of the in-process tracker's own threads ("tracker": loop, writer, snapshot
     * builder, HTTP), the load generator loops ("generator"), the whole process ("process") and, given its pid,
     * a tracker running as another process ("tracker-process", from /proc/PID/stat).
     */
    static Map<String, Long> cpuByGroup(long trackerPid) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("tracker", 0L);
        out.put("tracker-loop", 0L);
        out.put("store-writer", 0L);
        out.put("generator", 0L);
        out.put("baseline-loop", 0L);
        if (trackerPid > 0) {
            out.put("tracker-process", ProcCpu.cpuNanos(trackerPid));
            out.put("tracker-process-without-jit", ProcCpu.cpuNanosWithoutJit(trackerPid));
        }
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti == null) continue;
            String name = ti.getThreadName();
            String group = name.matches("tracker-\\d+-\\d+")
                    ? "tracker-loop"
                    : name.matches("baseline-\\d+-\\d+")
                            ? "baseline-loop"
                            : name.equals("tracker-store-writer")
                                    ? "store-writer"
                                    : name.startsWith("bench-upt-") ? "generator" : null;
            if (group == null) continue;
            long t = mx.getThreadCpuTime(ti.getThreadId());
            if (t > 0) out.merge(group, t, Long::sum);
            if (t > 0 && (group.equals("tracker-loop") || group.equals("store-writer")))
                out.merge("tracker", t, Long::sum);
        }
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) { // the tracker's other threads
            if (ti == null) continue;
            String name = ti.getThreadName();
            if (!name.equals("tracker-snapshot") && !name.matches("http-\\d+-\\d+")) continue;
            long t = mx.getThreadCpuTime(ti.getThreadId());
            if (t > 0) out.merge("tracker", t, Long::sum);
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            out.put("process", os.getProcessCpuTime());
        }
        return out;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static long usedHeapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    private static double pct(double[] sorted, double q) {
        if (sorted.length == 0) return 0;
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // temp dir: best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
