package io.egoist.node.runtime;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeStatus;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.wire.NodeId;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    /**
     * What to run. {@code crash}: null (none), "kill" (the node's sockets close) or "hang" (it goes silent, sockets
     * open). {@code secure}: a temporary network CA and credentials for every process (else open v0.2 mode);
     * {@code tunnels}: the UDP and TCP tunnels after the messages; {@code latencyRounds}: messages sent one after
     * the other per test pair for the per-hop latency, beyond the test messages.
     */
    public record Params(
            int nodes,
            int k,
            String policy,
            long seed,
            int messages,
            double timeoutSeconds,
            double settleSeconds,
            String crash,
            UnaryOperator<NodeConfig> tune,
            boolean secure,
            boolean tunnels,
            int latencyRounds) {
        /** Open mode, no tunnels, no latency rounds: the demo as it was. */
        public Params(
                int nodes,
                int k,
                String policy,
                long seed,
                int messages,
                double timeoutSeconds,
                double settleSeconds,
                String crash,
                UnaryOperator<NodeConfig> tune) {
            this(nodes, k, policy, seed, messages, timeoutSeconds, settleSeconds, crash, tune, false, false, 0);
        }
    }

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
            double elapsedSeconds,
            String mode,
            String caDir,
            DemoHops.Result hops,
            DemoTunnels.Result tunnels) {
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

    double elapsed() {
        return (System.nanoTime() - t0) / 1e9;
    }

    void say(String fmt, Object... args) {
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
        DemoPki pki = params.secure() ? DemoPki.create() : null;
        String caDir = pki == null ? null : pki.dir().toString();
        if (pki != null)
            say("secure: mutual TLS, signed link state, end-to-end DATA; CA in %s (deleted at exit)", caDir);
        else say("open: v0.2 mode without credentials (anyone who can reach the ports could join)");
        say(
                "starting a tracker and %d nodes (k=%d, policy=%s) on 127.0.0.1 with RIPE latencies: %s",
                params.nodes(), params.k(), params.policy(), String.join(" ", matrix.names()));
        LocalOverlay.Settings settings = new LocalOverlay.Settings()
                .matrix(matrix)
                .k(params.k())
                .policy(params.policy())
                .seed(params.seed())
                .tune(pki == null ? params.tune() : c -> params.tune().apply(secureTimeouts(c)))
                .pki(pki);
        DemoTunnels tunnels = params.tunnels() ? new DemoTunnels() : null;
        if (tunnels != null) settings.nodeOptions((i, opts) -> opts.expose(tunnels.services()));
        if (onStarted != null) settings.tuneTracker(c -> c.withHttpPort(0));
        try (DemoTunnels closeTunnels = tunnels;
                LocalOverlay overlay = LocalOverlay.start(settings)) {
            say("all %d nodes up; tracker on port %d", params.nodes(), overlay.trackerPort());
            if (onStarted != null) onStarted.accept(overlay);
            double convergedAt = awaitConvergence(overlay);
            boolean converged = convergedAt >= 0;
            List<NodeResult> perNode = wiring(overlay);
            List<int[]> pairs = pairs(overlay.liveIndices(), params.messages(), params.seed());
            List<MessageResult> messages = sendMessages(overlay, pairs);
            DemoHops.Result hops = hopLatency(overlay, pairs, messages);
            DemoTunnels.Result tunnelResult = tunnels == null ? null : tunnels(overlay, tunnels);
            CrashResult crash = null;
            if (params.crash() != null) {
                int victim = tunnels == null ? -1 : tunnels.victim(overlay, tunnelResult);
                DemoTunnelStreams streams = victim < 0 ? null : tunnels.streams(tunnelResult);
                if (streams != null) {
                    say(
                            "tunnels: steady round trips over both%s while %s (a relay on their path) crashes",
                            tunnels.crashOverOverlay()
                                    ? " (two more forwards in mode overlay: the best routes have no relay)"
                                    : "",
                            matrix.names().get(victim));
                    streams.awaitFlowing(3_000);
                } else if (tunnelResult != null) say("tunnels: no relay on their path to crash");
                DemoCrash crasher = new DemoCrash(this);
                crash = crasher.crash(overlay, params.crash(), victim);
                if (streams != null) {
                    tunnelResult = tunnelResult.withCrash(
                            tunnels.describe(streams.stop(crash.victim(), crash.victimId(), crasher.crashAt())));
                    sayStalls(tunnelResult.crash());
                }
            }

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
                    elapsed(),
                    pki == null ? "open" : "secure",
                    caDir,
                    hops,
                    tunnelResult);
            if (whileRunning != null) whileRunning.accept(overlay, result);
            say("stopping");
            return result;
        }
    }

    /**
     * A probe's timeout runs from when it is asked for, so the first probe of a peer includes the TLS handshake
     * (two Ed25519 signatures and several verifications, on a loop shared by all nodes): give it longer than the
     * open demo's 1 s and than a handshake may take (5 s), or a busy machine's first probes time out and are made
     * again, handshake and all.
     */
    static NodeConfig secureTimeouts(NodeConfig c) {
        return c.withPingTimeoutMs(Math.max(c.pingTimeoutMs(), SECURE_PING_TIMEOUT_MS));
    }

    static final long SECURE_PING_TIMEOUT_MS = 6_000;

    private DemoHops.Result hopLatency(LocalOverlay o, List<int[]> pairs, List<MessageResult> messages) {
        if (params.latencyRounds() > 0)
            say("per-hop latency: %d more messages per test pair, one after the other", params.latencyRounds());
        DemoHops.Result h = DemoHops.measure(o, pairs, messages, params.latencyRounds());
        say(
                "DATA per overlay hop (median of %d messages, %d hops): %.2f ms one-way, of which %.2f ms beyond the"
                        + " emulated delay",
                h.samples(), h.hops(), h.medianRttPerHopMs(), h.medianOverheadPerHopMs());
        return h;
    }

    private DemoTunnels.Result tunnels(LocalOverlay o, DemoTunnels t) {
        DemoTunnels.Result r = t.measure(o);
        if (r.error() != null) {
            say("tunnels %s -> %s: %s", r.from(), r.to(), r.error());
            return r;
        }
        say(
                "tunnels %s -> %s (direct RTT %.1f ms): UDP %d/%d byte-exact, median %.2f ms; TCP %d/%d byte-exact,"
                        + " median %.2f ms; relays %s",
                r.from(),
                r.to(),
                r.directRttMs(),
                r.udp().exact(),
                r.udp().roundTrips(),
                r.udp().medianMs(),
                r.tcp().exact(),
                r.tcp().roundTrips(),
                r.tcp().medianMs(),
                r.relays().isEmpty() ? "none" : String.join(",", r.relays()));
        return r;
    }

    private void sayStalls(DemoTunnelStreams.CrashStall c) {
        for (DemoTunnelStreams.Stall s : List.of(c.udp(), c.tcp())) {
            say(
                    "tunnel %s: longest gap between round trips %.0f ms%s%s",
                    s.proto(),
                    s.stallMs(),
                    s.recovered() ? "" : " (no round trip after the crash)",
                    s.note() == null ? "" : "; " + s.note());
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
            Census c;
            try {
                c = census(o);
            } catch (java.util.concurrent.CompletionException slow) {
                // a node's loop did not answer within 5 s (a very busy machine): not converged, look again
                c = new Census(0, 0, lastChanges + 1);
            }
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
        List<NodeStatus> st = null;
        for (int attempt = 0; st == null; attempt++) {
            try {
                st = o.statuses();
            } catch (java.util.concurrent.CompletionException slow) {
                if (attempt >= 5) throw slow; // 5 s each: the nodes' loops are stuck
            }
        }
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

    private List<MessageResult> sendMessages(LocalOverlay o, List<int[]> pairs) {
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

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
