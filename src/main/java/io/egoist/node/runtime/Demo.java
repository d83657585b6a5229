package io.egoist.node.runtime;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeStatus;
import io.egoist.node.RouteInfo;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.wire.NodeId;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * {@code egoist demo}: a tracker and N nodes on loopback with latencies from the RIPE country matrix; waits for
 * the overlay to settle, sends test messages over it and reports the wiring, its cost against the full mesh
 * and direct paths, and per message the route, its cost, the measured round trip and the direct RTT.
 * Optionally crashes a well-connected node and measures how long until traffic flows again.
 */
public final class Demo {

    /** What to run. */
    /** {@code crash}: null (none), "kill" (the node's sockets close) or "hang" (it goes silent, sockets open). */
    public record Params(
            int nodes,
            int k,
            String policy,
            long seed,
            int messages,
            double timeoutSeconds,
            double settleSeconds,
            String crash,
            UnaryOperator<NodeConfig> tune) {}

    /** Per message. */
    public record MessageResult(
            String from,
            String to,
            NodeId fromId,
            NodeId toId,
            boolean delivered,
            List<String> path,
            double routeCostMs,
            double measuredRttMs,
            double directRttMs,
            String error) {}

    /** Per node. */
    public record NodeResult(
            String name,
            NodeId id,
            List<String> neighbors,
            double costOverlay,
            double costFullMesh,
            double costDirect,
            double ownCostMeasured) {}

    /** The crash experiment. */
    /**
     * The crash experiment. Per affected pair (its route went through the victim): {@code recoveryMs} = when the
     * first message acknowledged after the crash was acknowledged (the worst pair), {@code recoverySentMs} = when
     * that message had been sent (the worst pair), {@code medianRecoveryMs} = the median pair's acknowledgement.
     */
    public record CrashResult(
            String mode,
            String victim,
            NodeId victimId,
            int pairs,
            int pairsRecovered,
            double recoveryMs,
            double recoverySentMs,
            double medianRecoveryMs,
            boolean trackerRemoved,
            double trackerRemovalMs) {}

    /** Everything the demo found. */
    public record Result(
            boolean converged,
            double convergenceSeconds,
            int nodes,
            int k,
            String policy,
            List<NodeResult> perNode,
            double meanCostOverlay,
            double meanCostFullMesh,
            double meanCostDirect,
            List<MessageResult> messages,
            CrashResult crash,
            double elapsedSeconds) {
        public int messagesSent() {
            return messages.size();
        }

        public long messagesDelivered() {
            return messages.stream().filter(MessageResult::delivered).count();
        }
    }

    private final Params params;
    private final PrintWriter progress;
    private final long t0 = System.nanoTime();

    public Demo(Params params, PrintWriter progress) {
        this.params = params;
        this.progress = progress;
    }

    private java.util.function.Consumer<LocalOverlay> onStarted;
    private java.util.function.BiConsumer<LocalOverlay, Result> whileRunning;

    /**
     * Watch mode: the tracker serves HTTP (and its live map) on an ephemeral port; {@code onStarted} is called
     * once the nodes are up, {@code whileRunning} with the result before the overlay is closed (it returns
     * when the overlay should stop).
     */
    public Demo watch(
            java.util.function.Consumer<LocalOverlay> onStarted,
            java.util.function.BiConsumer<LocalOverlay, Result> whileRunning) {
        this.onStarted = onStarted;
        this.whileRunning = whileRunning;
        return this;
    }

    /**
     * {@code n} nodes of the matrix spread evenly over its order (the RIPE matrix lists countries alphabetically,
     * so this mixes continents): indices round(i * (size - 1) / (n - 1)), first and last included.
     */
    public static int[] spreadOut(LatencyMatrix m, int n) {
        if (n > m.size())
            throw new IllegalArgumentException("the matrix has only " + m.size() + " nodes, asked for " + n);
        if (n < 2) throw new IllegalArgumentException("at least 2 nodes");
        int[] chosen = new int[n];
        for (int i = 0; i < n; i++) chosen[i] = (int) Math.round(i * (m.size() - 1) / (double) (n - 1));
        return chosen;
    }

    private double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void say(String fmt, Object... args) {
        progress.printf(Locale.ROOT, "[%5.1fs] " + fmt + "%n", prepend(elapsed(), args));
        progress.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    public Result run() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LatencyMatrix matrix = ripe.subset(spreadOut(ripe, params.nodes()));
        say(
                "starting a tracker and %d nodes (k=%d, policy=%s) on 127.0.0.1 with RIPE latencies: %s",
                params.nodes(), params.k(), params.policy(), String.join(" ", matrix.names()));
        LocalOverlay.Settings settings = new LocalOverlay.Settings()
                .matrix(matrix)
                .k(params.k())
                .policy(params.policy())
                .seed(params.seed())
                .tune(params.tune());
        if (onStarted != null) settings.tuneTracker(c -> c.withHttpPort(0));
        try (LocalOverlay overlay = LocalOverlay.start(settings)) {
            say("all %d nodes up; tracker on port %d", params.nodes(), overlay.trackerPort());
            if (onStarted != null) onStarted.accept(overlay);
            double convergedAt = awaitConvergence(overlay);
            boolean converged = convergedAt >= 0;
            List<NodeResult> perNode = wiring(overlay);
            List<MessageResult> messages = sendMessages(overlay);
            CrashResult crash = params.crash() != null ? crash(overlay, params.crash()) : null;

            double mo = perNode.stream()
                    .mapToDouble(NodeResult::costOverlay)
                    .average()
                    .orElse(Double.NaN);
            double mf = perNode.stream()
                    .mapToDouble(NodeResult::costFullMesh)
                    .average()
                    .orElse(Double.NaN);
            double md = perNode.stream()
                    .mapToDouble(NodeResult::costDirect)
                    .average()
                    .orElse(Double.NaN);
            Result result = new Result(
                    converged,
                    convergedAt,
                    params.nodes(),
                    params.k(),
                    params.policy(),
                    perNode,
                    mo,
                    mf,
                    md,
                    messages,
                    crash,
                    elapsed());
            if (whileRunning != null) whileRunning.accept(overlay, result);
            say("stopping");
            return result;
        }
    }

    /** Counts the nodes that are fully wired and reach everyone; returns true when all are. */
    private record Census(int wired, int reaching, long changes) {}

    private Census census(LocalOverlay o) {
        List<Integer> live = o.liveIndices();
        int want = Math.min(o.k(), live.size() - 1);
        List<NodeStatus> st = o.statuses();
        int wired = 0, reaching = 0;
        for (int i : live) {
            NodeStatus s = st.get(i);
            long connected = s.neighbors().stream()
                    .filter(NodeStatus.Neighbor::connected)
                    .count();
            if (connected >= want) wired++;
            if (s.knownNodes() >= live.size() - 1 && s.unreachable() == 0 && "RUNNING".equals(s.phase())) reaching++;
        }
        long changes = 0;
        for (int i : live)
            changes += o.node(i)
                    .query(c -> c.counters().changes)
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join();
        return new Census(wired, reaching, changes);
    }

    /**
     * Waits until every node has k connected neighbors and reaches every other node, and no node has changed
     * its neighbors for {@code settleSeconds}; returns the time (s) of the last change, or -1 at the deadline.
     */
    private double awaitConvergence(LocalOverlay o) {
        int n = o.liveIndices().size();
        long lastChanges = -1;
        double lastChangeAt = elapsed();
        double lastReport = -10;
        while (true) {
            Census c = census(o);
            double now = elapsed();
            if (c.changes() != lastChanges) {
                lastChanges = c.changes();
                lastChangeAt = now;
            }
            boolean complete = c.wired() == n && c.reaching() == n;
            if (!complete) lastChangeAt = Math.max(lastChangeAt, now);
            double stableFor = now - lastChangeAt;
            if (now - lastReport >= 2) {
                say(
                        "wired %d/%d · reach all %d/%d · re-wirings so far %d · stable for %.1fs",
                        c.wired(), n, c.reaching(), n, c.changes(), stableFor);
                lastReport = now;
            }
            if (complete && stableFor >= params.settleSeconds()) {
                say(
                        "converged: every node has %d neighbors and reaches all %d others; no re-wiring for %.1fs",
                        Math.min(o.k(), n - 1), n - 1, stableFor);
                return lastChangeAt;
            }
            if (now >= params.timeoutSeconds()) {
                say(
                        "deadline reached without convergence (wired %d/%d, reaching %d/%d)",
                        c.wired(), n, c.reaching(), n);
                return -1;
            }
            sleep(500);
        }
    }

    private List<NodeResult> wiring(LocalOverlay o) {
        LatencyMatrix m = o.matrix();
        int n = m.size();
        List<NodeStatus> st = o.statuses();
        Graph overlay = new Graph(n);
        Graph mesh = new Graph(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) if (i != j) mesh.setEdge(i, j, m.rtt(i, j));
            if (st.get(i) == null) continue;
            for (NodeStatus.Neighbor nb : st.get(i).neighbors()) {
                int j = o.indexOf(nb.node());
                if (j >= 0 && j != i) overlay.setEdge(i, j, m.rtt(i, j));
            }
        }
        List<NodeResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (st.get(i) == null) continue;
            double[] dOver = ShortestPaths.distances(overlay, i);
            double[] dMesh = ShortestPaths.distances(mesh, i);
            double so = 0, sm = 0, sd = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                so += dOver[j];
                sm += dMesh[j];
                sd += m.rtt(i, j);
            }
            List<String> nbs = new ArrayList<>();
            for (NodeStatus.Neighbor nb : st.get(i).neighbors()) nbs.add(o.nameOf(nb.node()));
            double measured = st.get(i).ownCost(); // C_i: the mean over the other nodes
            out.add(new NodeResult(
                    m.names().get(i), o.node(i).id(), nbs, so / (n - 1), sm / (n - 1), sd / (n - 1), measured));
        }
        return out;
    }

    /** Deterministic distinct (from, to) pairs of live nodes. */
    private static List<int[]> pairs(List<Integer> live, int count, long seed) {
        Random r = new Random(seed);
        List<int[]> all = new ArrayList<>();
        for (int a : live) for (int b : live) if (a != b) all.add(new int[] {a, b});
        java.util.Collections.shuffle(all, r);
        return all.subList(0, Math.min(count, all.size()));
    }

    private List<MessageResult> sendMessages(LocalOverlay o) {
        List<int[]> pairs = pairs(o.liveIndices(), params.messages(), params.seed());
        say("sending %d test messages over the overlay", pairs.size());
        List<CompletableFuture<MessageResult>> fs = new ArrayList<>();
        for (int[] p : pairs)
            fs.add(send(o, p[0], p[1], "hello from " + o.matrix().names().get(p[0])));
        List<MessageResult> out = new ArrayList<>();
        for (CompletableFuture<MessageResult> f : fs) out.add(f.join());
        long ok = out.stream().filter(MessageResult::delivered).count();
        say("%d/%d messages delivered and acknowledged", ok, out.size());
        return out;
    }

    private CompletableFuture<MessageResult> send(LocalOverlay o, int from, int to, String text) {
        LatencyMatrix m = o.matrix();
        EgoistNode src = o.node(from);
        NodeId dst = o.node(to).id();
        String fromName = m.names().get(from), toName = m.names().get(to);
        double direct = m.rtt(from, to);
        return src.send(dst, text.getBytes(StandardCharsets.UTF_8)).handle((r, err) -> {
            if (err != null) {
                Throwable t = err.getCause() != null ? err.getCause() : err;
                return new MessageResult(
                        fromName,
                        toName,
                        src.id(),
                        dst,
                        false,
                        List.of(),
                        Double.NaN,
                        Double.NaN,
                        direct,
                        String.valueOf(t.getMessage()));
            }
            List<String> path = new ArrayList<>();
            for (NodeId hop : r.path()) path.add(o.nameOf(hop));
            double cost = Double.isNaN(r.pathCostMs()) ? r.routeCostMs() : r.pathCostMs();
            return new MessageResult(fromName, toName, src.id(), dst, true, path, cost, r.rttMs(), direct, null);
        });
    }

    /**
     * Crashes the node that most routes pass through, then keeps sending between the live pairs whose route
     * went through it until each pair has a message acknowledged; recovery = the last pair's first
     * acknowledgement after the crash. Also waits (bounded) for the tracker to remove the node.
     */
    private CrashResult crash(LocalOverlay o, String mode) {
        List<Integer> live = o.liveIndices();
        Map<Integer, Integer> through = new HashMap<>();
        Map<Integer, List<int[]>> pairsVia = new HashMap<>();
        for (int s : live) {
            List<RouteInfo> routes =
                    o.node(s).routes().orTimeout(5, TimeUnit.SECONDS).join();
            for (RouteInfo r : routes) {
                int d = o.indexOf(r.destination());
                for (int h = 1; h < r.path().size() - 1; h++) {
                    int via = o.indexOf(r.path().get(h));
                    through.merge(via, 1, Integer::sum);
                    pairsVia.computeIfAbsent(via, x -> new ArrayList<>()).add(new int[] {s, d});
                }
            }
        }
        int victim = through.entrySet().stream()
                .max(Map.Entry.<Integer, Integer>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                .map(Map.Entry::getKey)
                .orElse(live.get(0));
        List<int[]> affected = pairsVia.getOrDefault(victim, List.of());
        String victimName = o.matrix().names().get(victim);
        NodeId victimId = o.node(victim).id();
        say(
                "crash test (%s): %s %s (%s), on the route of %d pairs",
                mode, mode.equals("hang") ? "freezing" : "stopping", victimName, victimId, affected.size());
        long crashAt = System.nanoTime();
        if (mode.equals("hang")) o.hang(victim);
        else o.kill(victim);
        Map<Integer, double[]> recoveredAt = new LinkedHashMap<>(); // pair -> {sent, acked} ms after the crash
        double deadline = elapsed() + 20;
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        while (elapsed() < deadline) {
            synchronized (recoveredAt) {
                if (recoveredAt.size() >= affected.size()) break;
            }
            for (int p = 0; p < affected.size(); p++) {
                synchronized (recoveredAt) {
                    if (recoveredAt.containsKey(p)) continue;
                }
                int pi = p;
                int[] pair = affected.get(p);
                double sentAt = (System.nanoTime() - crashAt) / 1e6;
                inFlight.add(o.node(pair[0])
                        .send(o.node(pair[1]).id(), "after the crash".getBytes(StandardCharsets.UTF_8))
                        .thenAccept(r -> {
                            if (!r.path().contains(victimId)) {
                                double ackedAt = (System.nanoTime() - crashAt) / 1e6;
                                synchronized (recoveredAt) {
                                    recoveredAt.merge(
                                            pi, new double[] {sentAt, ackedAt}, (x, y) -> x[1] <= y[1] ? x : y);
                                }
                            }
                        }));
            }
            sleep(100);
        }
        for (CompletableFuture<?> f : inFlight) {
            try {
                f.get(100, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // failed sends during the outage are expected
            }
        }
        double recovery, recoverySent, median;
        int recovered;
        synchronized (recoveredAt) {
            recovered = recoveredAt.size();
            double[] acks = recoveredAt.values().stream()
                    .mapToDouble(x -> x[1])
                    .sorted()
                    .toArray();
            recovery = acks.length == 0 ? 0 : acks[acks.length - 1];
            median = acks.length == 0 ? 0 : acks[acks.length / 2];
            recoverySent =
                    recoveredAt.values().stream().mapToDouble(x -> x[0]).max().orElse(0);
        }
        say(
                "traffic between the %d affected pairs flows again: every pair had a message acknowledged %.0f ms after the crash"
                        + " (median pair %.0f ms; the last pair's message was sent at %.0f ms); %d/%d pairs",
                affected.size(), recovery, median, recoverySent, recovered, affected.size());
        double removalMs = -1;
        double removalDeadline = elapsed() + 15;
        while (elapsed() < removalDeadline) {
            boolean present = o.tracker().snapshot().nodes().stream().anyMatch(n -> n.id().equals(victimId));
            if (!present) {
                removalMs = (System.nanoTime() - crashAt) / 1e6;
                break;
            }
            sleep(200);
        }
        say(
                removalMs >= 0 ? "the tracker removed %s after %.0f ms" : "the tracker still lists %s",
                victimName,
                removalMs);
        return new CrashResult(
                mode,
                victimName,
                victimId,
                affected.size(),
                recovered,
                recovery,
                recoverySent,
                median,
                removalMs >= 0,
                removalMs);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
