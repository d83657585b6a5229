package io.egoist.sim.net;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeCounters;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * {@code egoist bench node}: n real NodeCores and the tracker in the virtual-time network over the RIPE matrix
 * (tiled when n > 94) at the configured periods; after a warm-up (joins, first wirings) it measures, per node,
 * link-state traffic, all protocol traffic, CPU time spent inside the cores, and heap.
 */
public final class NodeBench {

    public record Options(
            int nodes, double minutes, double warmupMinutes, int k, String policy, long seed, boolean recovery) {}

    /** Mean and maximum over the nodes. */
    public record Stat(double mean, double max) {}

    public record Result(
            int nodes,
            int k,
            String policy,
            double virtualSeconds,
            double warmupSeconds,
            Stat linkStateBytesSentPerSec,
            Stat linkStateBytesReceivedPerSec,
            Stat linkStateMessagesSentPerSec,
            Stat linkStateMessagesReceivedPerSec,
            Stat allBytesSentPerSec,
            Stat heartbeatBytesSentPerSec,
            Stat trackerBytesSentPerSec,
            Stat probesPerSec,
            Stat cpuPercentOfACore,
            double heapBaselineMb,
            double heapWithOverlayMb,
            double heapPerNodeMb,
            long rewires,
            long changes,
            long announcements,
            boolean connected,
            double meanOwnCostMs,
            long recoveryProcessCrashMs,
            long recoverySilentCrashMs,
            double wallSeconds,
            double loadAverage,
            int cores,
            Map<String, long[]> trafficByType) {}

    private final Options o;
    private final Consumer<String> progress;

    public NodeBench(Options o, Consumer<String> progress) {
        this.o = o;
        this.progress = progress;
    }

    public Result run() {
        long wall0 = System.nanoTime();
        double baseline = usedHeapAfterGc();
        SimOverlay ov = SimOverlay.build(
                LatencyMatrix.ripe().toArray(),
                o.nodes(),
                o.seed(),
                c -> c.withK(o.k()).withPolicy(o.policy()),
                new VirtualNetwork.Options().measureCpu(true));
        VirtualNetwork net = ov.net();
        ov.startAll(10_000, new Random(o.seed()));
        long warmupMs = Math.round(o.warmupMinutes() * 60_000);
        for (long t = 60_000; t < warmupMs; t += 60_000) {
            net.runUntil(t);
            progress.accept(String.format("warm-up %d/%d virtual min", t / 60_000, Math.round(o.warmupMinutes())));
        }
        net.runUntil(warmupMs);
        progress.accept(String.format(
                "warm-up done: %d nodes joined (wall %.1f s)", o.nodes(), (System.nanoTime() - wall0) / 1e9));
        List<NodeId> ids = ov.ids();
        Map<NodeId, Map<String, long[]>> sent0 = new HashMap<>();
        Map<NodeId, Map<String, long[]>> recv0 = new HashMap<>();
        Map<NodeId, long[]> misc0 = new HashMap<>();
        for (NodeId id : ids) {
            sent0.put(id, net.sentBy(id));
            recv0.put(id, net.receivedBy(id));
            NodeCounters c = net.core(id).counters();
            misc0.put(id, new long[] {net.cpuNanos(id), net.probesBy(id), c.rewires, c.changes, c.announcements});
        }
        long measureMs = Math.round(o.minutes() * 60_000);
        long end = warmupMs + measureMs;
        for (long t = warmupMs + 60_000; t < end; t += 60_000) {
            net.runUntil(t);
            progress.accept(String.format(
                    "measured %d/%d virtual min (wall %.1f s)",
                    (t - warmupMs) / 60_000, Math.round(o.minutes()), (System.nanoTime() - wall0) / 1e9));
        }
        net.runUntil(end);
        progress.accept(String.format(
                "measured %.1f virtual min (wall %.1f s)", o.minutes(), (System.nanoTime() - wall0) / 1e9));
        double secs = measureMs / 1000.0;

        List<double[]> rows = new ArrayList<>();
        Map<String, long[]> byType = new java.util.TreeMap<>();
        long rewires = 0, changes = 0, announcements = 0;
        for (NodeId id : ids) {
            Map<String, long[]> s = diff(net.sentBy(id), sent0.get(id));
            Map<String, long[]> r = diff(net.receivedBy(id), recv0.get(id));
            s.forEach((k, v) -> {
                long[] a = byType.computeIfAbsent(k, x -> new long[2]);
                a[0] += v[0];
                a[1] += v[1];
            });
            long[] m0 = misc0.get(id);
            NodeCounters c = net.core(id).counters();
            rewires += c.rewires - m0[2];
            changes += c.changes - m0[3];
            announcements += c.announcements - m0[4];
            long allSent = 0;
            for (long[] v : s.values()) allSent += v[1];
            rows.add(new double[] {
                get(s, "node:UPT")[1] / secs,
                get(r, "node:UPT")[1] / secs,
                get(s, "node:UPT")[0] / secs,
                get(r, "node:UPT")[0] / secs,
                allSent / secs,
                get(s, "node:HB")[1] / secs,
                trackerBytes(s) / secs,
                (net.probesBy(id) - m0[1]) / secs,
                100.0 * (net.cpuNanos(id) - m0[0]) / (secs * 1e9),
            });
        }
        double withOverlay = usedHeapAfterGc();
        double cost = 0;
        int counted = 0;
        for (NodeId id : ids) {
            double c = net.core(id).status().ownCost();
            if (Double.isFinite(c)) {
                cost += c;
                counted++;
            }
        }
        boolean connected =
                ov.wiringProblems().isEmpty() && ov.unreachablePairs().isEmpty();
        long recProcess = -2, recSilent = -2;
        if (o.recovery()) {
            progress.accept("crash recovery: process crash of the most linked-to node");
            recProcess = Recovery.measure(ov, mostLinkedTo(ov), false, 1000, 100, 6000, 300, new Random(o.seed() + 1))
                    .recoveryMs();
            net.runFor(60_000);
            progress.accept("crash recovery: silent crash of the most linked-to node");
            recSilent = Recovery.measure(ov, mostLinkedTo(ov), true, 1000, 100, 6000, 300, new Random(o.seed() + 2))
                    .recoveryMs();
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        // keep the overlay reachable until the heap was measured
        if (net.now() < 0) System.out.println(ov);
        return new Result(
                o.nodes(),
                o.k(),
                o.policy(),
                secs,
                warmupMs / 1000.0,
                stat(rows, 0),
                stat(rows, 1),
                stat(rows, 2),
                stat(rows, 3),
                stat(rows, 4),
                stat(rows, 5),
                stat(rows, 6),
                stat(rows, 7),
                stat(rows, 8),
                baseline,
                withOverlay,
                (withOverlay - baseline) / o.nodes(),
                rewires,
                changes,
                announcements,
                connected,
                counted == 0 ? Double.NaN : cost / counted,
                recProcess,
                recSilent,
                wall,
                load,
                Runtime.getRuntime().availableProcessors(),
                byType);
    }

    static NodeId mostLinkedTo(SimOverlay o) {
        Map<NodeId, Integer> in = new HashMap<>();
        for (NodeId id : o.net().liveNodes())
            for (Link l : o.core(id).announcedLinks()) in.merge(l.dst(), 1, Integer::sum);
        return in.entrySet().stream()
                .max(Map.Entry.<NodeId, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow()
                .getKey();
    }

    private static long trackerBytes(Map<String, long[]> s) {
        long b = 0;
        for (Map.Entry<String, long[]> e : s.entrySet()) if (e.getKey().startsWith("tracker:")) b += e.getValue()[1];
        return b;
    }

    private static long[] get(Map<String, long[]> m, String k) {
        long[] v = m.get(k);
        return v == null ? new long[2] : v;
    }

    private static Map<String, long[]> diff(Map<String, long[]> now, Map<String, long[]> before) {
        Map<String, long[]> d = new java.util.TreeMap<>();
        now.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[2]);
            d.put(k, new long[] {v[0] - b[0], v[1] - b[1]});
        });
        return d;
    }

    private static Stat stat(List<double[]> rows, int col) {
        double sum = 0, max = Double.NEGATIVE_INFINITY;
        for (double[] r : rows) {
            sum += r[col];
            max = Math.max(max, r[col]);
        }
        return new Stat(rows.isEmpty() ? 0 : sum / rows.size(), rows.isEmpty() ? 0 : max);
    }

    /** Used heap in MB after asking for full GCs until it stops shrinking. */
    static double usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best / 1048576.0;
    }
}
