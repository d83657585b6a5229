package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoist.bench.RegCostBench;
import io.egoist.bench.TrackerBench;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "tracker",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Load a tracker with REG and UPT traffic the way v0.2 nodes send it (a new connection per UPT).",
            "Reports UPT/s, REG reply latency p50/p99 at the overlay built, and the tracker's heap (in-process only).",
            "Without --target it starts a tracker in this JVM on an ephemeral loopback port with a temporary database."
        })
public final class BenchTrackerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", description = "Simulated nodes (each registers, then sends UPTs with ~4 links).")
    int nodes = 1000;

    @Option(names = "--seconds", description = "Duration of the UPT load.")
    double seconds = 10;

    @Option(
            names = "--warmup",
            paramLabel = "SECONDS",
            description = "UPT load before the measured seconds (JIT warm-up), not counted.")
    double warmup = 2;

    @Option(names = "--threads", description = "Load generator loops (threads), each a non-blocking selector.")
    int threads = 2;

    @Option(names = "--concurrency", description = "UPT exchanges in flight per generator loop.")
    int concurrency = 32;

    @Option(names = "--reg-samples", description = "Extra REGs timed after the overlay is built.")
    int regSamples = 500;

    @Option(
            names = "--target",
            paramLabel = "HOST:PORT",
            description = "Load this tracker instead of an in-process one.")
    String target;

    @Option(names = "--seed", description = "Seed for the random links and costs.")
    long seed = 1;

    @Option(
            names = "--tracker-log-level",
            description = "Log level of the in-process tracker (INFO logs one line per UPT).")
    String trackerLogLevel = "WARN";

    @Option(
            names = "--baseline",
            description = "Also run the same UPT load against the bare runtime (a core that only closes).")
    boolean baseline;

    @Option(
            names = "--http-load",
            paramLabel = "N",
            description = "After timing REGs, time them again while N clients read /api/overlay in a loop"
                    + " (a new connection per request, like curl). In-process, the tracker then serves HTTP.")
    int httpLoad;

    @Option(
            names = "--http-target",
            paramLabel = "HOST:PORT",
            description = "The HTTP port of the --target tracker, for --http-load.")
    String httpTarget;

    @Option(
            names = "--tracker-pid",
            paramLabel = "PID",
            description = "The --target tracker's process id: report its own CPU per UPT (from /proc/PID/stat).")
    long trackerPid;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(
            names = "--reg-cost",
            paramLabel = "N,N,...",
            split = ",",
            description = "Instead of the load: the tracker core's CPU per REG of a new node at these overlay sizes"
                    + " (no sockets; e.g. 1000,10000,50000).")
    int[] regCost;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (nodes < 2 || nodes > 1_000_000)
            throw new CommandLine.ParameterException(cl, "--nodes must be 2..1000000, not " + nodes);
        if (!Seconds.positive(seconds))
            throw new CommandLine.ParameterException(cl, "--seconds must be positive, not " + seconds);
        if (!Seconds.notNegative(warmup))
            throw new CommandLine.ParameterException(cl, "--warmup must be 0 or more seconds, not " + warmup);
        if (threads < 1 || threads > 512)
            throw new CommandLine.ParameterException(cl, "--threads must be 1..512, not " + threads);
        if (concurrency < 1 || concurrency > 10_000)
            throw new CommandLine.ParameterException(cl, "--concurrency must be 1..10000, not " + concurrency);
        if (regSamples < 1) throw new CommandLine.ParameterException(cl, "--reg-samples must be at least 1");
        String host = null;
        int port = 0;
        if (target != null) {
            int c = target.lastIndexOf(':');
            try {
                if (c <= 0) throw new NumberFormatException();
                host = target.substring(0, c);
                port = Integer.parseInt(target.substring(c + 1));
                if (port < 1 || port > 65535) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cl, "--target must be HOST:PORT, not " + target);
            }
        }
        if (httpLoad < 0 || httpLoad > 256)
            throw new CommandLine.ParameterException(cl, "--http-load must be 0..256, not " + httpLoad);
        String httpHost = null;
        int httpPort = 0;
        if (httpTarget != null) {
            if (target == null)
                throw new CommandLine.ParameterException(
                        cl, "--http-target needs --target (in-process, HTTP is local)");
            int c = httpTarget.lastIndexOf(':');
            try {
                if (c <= 0) throw new NumberFormatException();
                httpHost = httpTarget.substring(0, c);
                httpPort = Integer.parseInt(httpTarget.substring(c + 1));
                if (httpPort < 1 || httpPort > 65535) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cl, "--http-target must be HOST:PORT, not " + httpTarget);
            }
        }
        if (httpLoad > 0 && target != null && httpTarget == null)
            throw new CommandLine.ParameterException(cl, "--http-load with --target needs --http-target HOST:PORT");
        if (trackerPid < 0 || (trackerPid > 0 && target == null))
            throw new CommandLine.ParameterException(
                    cl, "--tracker-pid needs --target and a process id, not " + trackerPid);
        if (trackerPid > 0 && !java.nio.file.Files.exists(java.nio.file.Path.of("/proc", Long.toString(trackerPid))))
            throw new CommandLine.ParameterException(cl, "--tracker-pid: no process " + trackerPid + " in /proc");
        setTrackerLogLevel(cl, trackerLogLevel);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        if (regCost != null) {
            for (int n : regCost) {
                if (n < 1 || n > 1_000_000)
                    throw new CommandLine.ParameterException(cl, "--reg-cost sizes must be 1..1000000, not " + n);
            }
            var rows = new RegCostBench(200, 15, line -> {
                        err.println(line);
                        err.flush();
                    })
                    .run(regCost);
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(rows));
            } else {
                for (var row : rows) {
                    out.printf(
                            "REG cost  %,7d nodes %,8d links  %8.1f us CPU per REG of a new node (median; min %.1f), reply %d lines%n",
                            row.nodes(),
                            row.links(),
                            row.microsPerRegMedian(),
                            row.microsPerRegMin(),
                            row.replyLines());
                }
            }
            return 0;
        }
        TrackerBench.Options o = new TrackerBench.Options(
                nodes,
                seconds,
                warmup,
                threads,
                concurrency,
                regSamples,
                host,
                port,
                seed,
                baseline,
                httpLoad,
                httpHost,
                httpPort,
                trackerPid);
        TrackerBench.Result r = new TrackerBench(o, line -> {
                    err.println(line);
                    err.flush();
                })
                .run();
        if (json) {
            out.println(new ObjectMapper()
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .writeValueAsString(r));
        } else {
            out.printf("target            %s%s%n", r.target(), o.inProcess() ? " (in-process)" : "");
            out.printf(
                    "overlay           %,d nodes, %s links%n",
                    r.nodes(), r.links() < 0 ? "~" + 4 * nodes : String.format("%,d", r.links()));
            out.printf("registration      %,d REG in %.2f s%n", nodes, r.registerSeconds());
            out.printf(
                    "UPT load          %,d UPT in %.2f s = %,.0f UPT/s (new connection per UPT, %d x %d in flight, %d errors)%n",
                    r.updates(), r.seconds(), r.updatesPerSecond(), threads, concurrency, r.updateErrors());
            if (r.trackerUpdatesCounted() >= 0) out.printf("tracker counted   %,d UPT%n", r.trackerUpdatesCounted());
            out.printf(
                    "REG reply         p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d REGs of new nodes; reply %d lines, %,d bytes)%n",
                    r.regP50Ms(), r.regP99Ms(), r.regMaxMs(), r.regSamples(), r.regReplyLines(), r.regReplyBytes());
            if (r.httpLoadClients() > 0) {
                out.printf(
                        "REG under HTTP    p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d REGs; %d clients reading /api/overlay: %,d responses, %,d MB, %d errors)%n",
                        r.regUnderHttpP50Ms(),
                        r.regUnderHttpP99Ms(),
                        r.regUnderHttpMaxMs(),
                        r.regUnderHttpSamples(),
                        r.httpLoadClients(),
                        r.httpResponses(),
                        r.httpBytes() >> 20,
                        r.httpErrors());
            }
            if (r.regFailures() > 0)
                out.printf("REG failures      %d (timed out or closed; counted with their time)%n", r.regFailures());
            StringBuilder cpu = new StringBuilder();
            r.cpuMicrosPerUpdate()
                    .forEach((k, v) -> cpu.append(cpu.length() == 0 ? "" : ", ")
                            .append(k)
                            .append(' ')
                            .append(v)
                            .append(" us"));
            out.printf("CPU per UPT       %s%n", cpu);
            Double own = r.cpuMicrosPerUpdate()
                    .getOrDefault("tracker-process", r.cpuMicrosPerUpdate().get("tracker"));
            if (own != null) {
                out.printf(
                        "tracker CPU       %.1f us per UPT connection (%s; transport %s)%s%n",
                        own,
                        r.cpuMicrosPerUpdate().containsKey("tracker-process")
                                ? "the tracker process, /proc/" + trackerPid + "/stat"
                                : "the in-process tracker's own threads",
                        r.transport(),
                        r.cpuMicrosPerUpdate().containsKey("tracker-process-without-jit")
                                ? String.format(
                                        ", %.1f us without its JIT compiler threads",
                                        r.cpuMicrosPerUpdate().get("tracker-process-without-jit"))
                                : "");
            }
            if (r.baselineUpdatesPerSecond() >= 0) {
                StringBuilder b = new StringBuilder();
                r.baselineCpuMicrosPerUpdate()
                        .forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ")
                                .append(k)
                                .append(' ')
                                .append(v)
                                .append(" us"));
                out.printf(
                        "baseline          %,.0f exchanges/s against the bare runtime; CPU per exchange %s%n",
                        r.baselineUpdatesPerSecond(), b);
            }
            if (r.storeBatches() >= 0) {
                out.printf(
                        "database          %,d batches, longest write %d ms, longest change-to-disk %d ms%n",
                        r.storeBatches(), r.storeMaxBatchMillis(), r.storeMaxChangeDelayMillis());
            }
            out.printf(
                    "machine load      %.2f (1-minute load average at the end; %d cores)%n",
                    r.loadAverage(), Runtime.getRuntime().availableProcessors());
            out.printf(
                    "tracker heap      %s%n",
                    r.trackerHeapBytes() < 0
                            ? "n/a (remote tracker)"
                            : String.format("%.1f MB after GC", r.trackerHeapBytes() / 1048576.0));
        }
        out.flush();
        return 0;
    }

    private static void setTrackerLogLevel(CommandLine cl, String level) {
        org.slf4j.Logger l = org.slf4j.LoggerFactory.getLogger("io.egoist.tracker");
        if (l instanceof ch.qos.logback.classic.Logger lb) {
            ch.qos.logback.classic.Level lv = ch.qos.logback.classic.Level.toLevel(level, null);
            if (lv == null)
                throw new CommandLine.ParameterException(cl, "--tracker-log-level must be a log level, not " + level);
            lb.setLevel(lv);
        }
    }
}
