package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.sim.net.NodeBench;
import io.egoist.sns.Policies;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Measure a node's footprint: traffic, CPU and heap per node in a simulated overlay.",
            "",
            "Runs real node cores (plus the real tracker core) under virtual time on the RIPE country matrix, at the "
                    + "default periods (ping 35 s, re-wiring 60 s, heartbeat 500 ms). Reports per node: link-state "
                    + "bytes/s and messages/s sent and received, all protocol traffic, CPU time inside the cores per "
                    + "virtual second (%% of one core) and heap (used after GC / nodes).",
            ""
        })
public final class BenchNodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", description = "Nodes in the overlay (the 94-country matrix is tiled beyond 94).")
    int nodes = 100;

    @Option(names = "--minutes", description = "Virtual minutes measured (after the warm-up).")
    double minutes = 10;

    @Option(names = "--warmup-minutes", description = "Virtual minutes of joining and first wirings, not measured.")
    double warmupMinutes = 3;

    @Option(names = "--k", description = "Out-neighbors per node.")
    int k = 3;

    @Option(
            names = "--policy",
            description = "Wiring policy: ${COMPLETION-CANDIDATES}.",
            completionCandidates = PolicyNames.class)
    String policy = "br";

    @Option(names = "--seed", description = "Seed of every random choice (start times, cores).")
    long seed = 1;

    @Option(
            names = "--no-recovery",
            description = "Skip measuring traffic recovery after a process crash and a silent crash.")
    boolean noRecovery;

    @Option(names = "--verbose", description = "Keep the nodes' INFO logs (one line per re-wiring, ...) on stderr.")
    boolean verbose;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    static final class PolicyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Policies.NAMES.iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (nodes < 2 || nodes > 2000)
            throw new CommandLine.ParameterException(cl, "--nodes must be 2..2000, not " + nodes);
        if (!Double.isFinite(minutes) || minutes <= 0 || minutes > 1440) {
            throw new CommandLine.ParameterException(cl, "--minutes must be in (0, 1440], not " + minutes);
        }
        if (!Double.isFinite(warmupMinutes) || warmupMinutes < 0.5 || warmupMinutes > 60) {
            throw new CommandLine.ParameterException(cl, "--warmup-minutes must be 0.5..60, not " + warmupMinutes);
        }
        if (k < 1 || k >= nodes)
            throw new CommandLine.ParameterException(cl, "--k must be 1.." + (nodes - 1) + ", not " + k);
        if (!Policies.NAMES.contains(policy)) {
            throw new CommandLine.ParameterException(
                    cl, "unknown --policy '" + policy + "'; known: " + String.join(", ", Policies.NAMES));
        }
        ch.qos.logback.classic.Level previous = verbose ? null : quiet("io.egoist");
        try {
            return run(cl);
        } finally {
            if (!verbose) restore("io.egoist", previous);
        }
    }

    private int run(CommandLine cl) throws Exception {
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        NodeBench.Result r = new NodeBench(
                        new NodeBench.Options(nodes, minutes, warmupMinutes, k, policy, seed, !noRecovery), line -> {
                            err.println("bench node: " + line);
                            err.flush();
                        })
                .run();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
            return 0;
        }
        out.printf(
                "overlay            %d nodes, k=%d, %s, RIPE matrix; %.0f virtual s measured after %.0f s warm-up%n",
                r.nodes(), r.k(), r.policy(), r.virtualSeconds(), r.warmupSeconds());
        out.printf("per node           mean / max over the nodes%n");
        out.printf(
                "link state sent    %,.1f / %,.1f B/s   %.3f / %.3f msg/s%n",
                r.linkStateBytesSentPerSec().mean(),
                r.linkStateBytesSentPerSec().max(),
                r.linkStateMessagesSentPerSec().mean(),
                r.linkStateMessagesSentPerSec().max());
        out.printf(
                "link state recv    %,.1f / %,.1f B/s   %.3f / %.3f msg/s%n",
                r.linkStateBytesReceivedPerSec().mean(),
                r.linkStateBytesReceivedPerSec().max(),
                r.linkStateMessagesReceivedPerSec().mean(),
                r.linkStateMessagesReceivedPerSec().max());
        out.printf(
                "heartbeats sent    %,.1f / %,.1f B/s%n",
                r.heartbeatBytesSentPerSec().mean(),
                r.heartbeatBytesSentPerSec().max());
        out.printf(
                "tracker sent       %,.1f / %,.1f B/s%n",
                r.trackerBytesSentPerSec().mean(), r.trackerBytesSentPerSec().max());
        out.printf(
                "all lines sent     %,.1f / %,.1f B/s (probes not included)%n",
                r.allBytesSentPerSec().mean(), r.allBytesSentPerSec().max());
        out.printf(
                "probes             %.2f / %.2f per s%n",
                r.probesPerSec().mean(), r.probesPerSec().max());
        out.printf(
                "CPU in the core    %.4f %% / %.4f %% of one core (thread CPU time per virtual second)%n",
                r.cpuPercentOfACore().mean(), r.cpuPercentOfACore().max());
        out.printf(
                "heap               %.2f MB per node ((%.1f MB with the overlay - %.1f MB before) / %d, after GC)%n",
                r.heapPerNodeMb(), r.heapWithOverlayMb(), r.heapBaselineMb(), r.nodes());
        out.printf(
                "wiring             %,d policy runs, %,d changes, %,d announcements in the measured period%n",
                r.rewires(), r.changes(), r.announcements());
        out.printf(
                "overlay state      %s, mean own cost C_i %.1f ms%n",
                r.connected() ? "every node wired, everyone reaches everyone" : "NOT fully connected",
                r.meanOwnCostMs());
        if (r.recoveryProcessCrashMs() > -2) {
            out.printf(
                    "crash recovery     process crash %s, silent crash %s (traffic between all live pairs flows again)%n",
                    ms(r.recoveryProcessCrashMs()), ms(r.recoverySilentCrashMs()));
        }
        out.printf(
                "run                %.1f s wall, load average %.2f on %d cores%n",
                r.wallSeconds(), r.loadAverage(), r.cores());
        out.printf("lines by type      ");
        boolean first = true;
        for (Map.Entry<String, long[]> e : r.trafficByType().entrySet()) {
            out.printf("%s%s %,d (%,d B)", first ? "" : ", ", e.getKey(), e.getValue()[0], e.getValue()[1]);
            first = false;
        }
        out.println();
        return 0;
    }

    private static String ms(long v) {
        return v < 0 ? "not recovered" : v + " ms";
    }

    /** Sets the logger to ERROR; returns its previous level (null = inherited). */
    private static ch.qos.logback.classic.Level quiet(String logger) {
        org.slf4j.Logger l = org.slf4j.LoggerFactory.getLogger(logger);
        if (!(l instanceof ch.qos.logback.classic.Logger lb)) return null;
        ch.qos.logback.classic.Level before = lb.getLevel();
        lb.setLevel(ch.qos.logback.classic.Level.ERROR);
        return before;
    }

    private static void restore(String logger, ch.qos.logback.classic.Level level) {
        org.slf4j.Logger l = org.slf4j.LoggerFactory.getLogger(logger);
        if (l instanceof ch.qos.logback.classic.Logger lb) lb.setLevel(level);
    }
}
