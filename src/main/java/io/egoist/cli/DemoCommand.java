package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoist.node.runtime.Demo;
import io.egoist.web.NodeJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Run a tracker and 20 nodes on loopback with emulated RIPE latencies.",
            "",
            "Everything runs in this process on 127.0.0.1 with ephemeral ports. The nodes are countries of the shipped RIPE Atlas matrix (/data/ripe-country-rtt.csv), spread evenly over its alphabetical order (which mixes continents); every line between two nodes is delayed by half their RTT. Periods are shortened (a probe every 2 s, a re-wiring step every 3 s); failure detection keeps its defaults (heartbeat 0.5 s, 3 misses).",
            "",
            "The demo waits until the overlay has converged (every node has k neighbors, everyone reaches everyone, no re-wiring for --settle seconds) or --timeout passed, sends test messages over the overlay and reports per node its neighbors and costs (overlay vs full mesh vs direct) and per message the route, its cost, the measured round trip and the direct RTT. Progress goes to stderr, the report (or --json) to stdout. Exit code 0 once everything is closed, also when the overlay did not converge (\"converged\": false).",
            ""
        })
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", description = "Number of nodes (2..94).")
    int nodes = 20;

    @Option(names = "--k", description = "Out-neighbors per node.")
    int k = 3;

    @Option(
            names = "--policy",
            description = "Wiring policy: br, br-eps, hybrid-br, k-random, k-closest, k-regular, legacy-swap.")
    String policy = "br";

    @Option(names = "--messages", description = "Test messages to send (between distinct random pairs).")
    int messages = 10;

    @Option(names = "--seed", description = "Seed for the nodes' randomness and the message pairs.")
    long seed = 1;

    @Option(names = "--timeout", description = "Give up waiting for convergence after this many seconds.")
    double timeout = 85;

    @Option(names = "--settle", description = "Converged = complete wiring and no re-wiring for this many seconds.")
    double settle = 7;

    @Option(
            names = "--crash",
            arity = "0..1",
            fallbackValue = "kill",
            paramLabel = "MODE",
            description =
                    "After the messages, crash the node most routes pass through and measure how long until traffic between the others flows again: kill (its sockets close, as when its process dies; the default MODE) or hang (it goes silent with its sockets open, as after a power loss or a cut cable).")
    String crash;

    @Option(
            names = "--ping-period",
            paramLabel = "SECONDS",
            description = "Override the demo's probe period (default 2 s; the seed's is 35 s).")
    Double pingPeriod;

    @Option(
            names = "--rewire-period",
            paramLabel = "SECONDS",
            description = "Override the demo's re-wiring period (default 3 s; the seed's is 60 s).")
    Double rewirePeriod;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    @Option(
            names = "--watch",
            description =
                    "Keep the overlay running after the report and serve the tracker's live map on 127.0.0.1 (its URL is printed as soon as the nodes are up) until Ctrl-C (SIGINT) or SIGTERM; then stop cleanly and exit 0.")
    boolean watch;

    /** Released to end --watch: by SIGINT/SIGTERM (the shutdown hook) or by tests. */
    final CountDownLatch stop = new CountDownLatch(1);

    /** The live map's URL once a --watch demo is up (tests). */
    volatile String mapUrl;

    @Option(names = "--verbose", description = "Show the nodes' and tracker's log lines (default: warnings only).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 2 || nodes > 94) {
            err.println("egoist demo: --nodes must be between 2 and 94 (the RIPE matrix has 94 countries)");
            return 2;
        }
        if (k < 1 || k >= nodes) {
            err.println("egoist demo: --k must be between 1 and nodes-1");
            return 2;
        }
        try {
            io.egoist.sns.Policies.byName(policy);
        } catch (IllegalArgumentException e) {
            err.println("egoist demo: --policy: " + e.getMessage());
            return 2;
        }
        if (crash != null && !crash.equals("kill") && !crash.equals("hang")) {
            err.println("egoist demo: --crash takes kill or hang, not '" + crash + "'");
            return 2;
        }
        if ((pingPeriod != null && !Seconds.positive(pingPeriod))
                || (rewirePeriod != null && !Seconds.positive(rewirePeriod))) {
            err.println("egoist demo: periods must be positive");
            return 2;
        }
        if (messages < 0 || timeout <= 0 || settle < 0) {
            err.println("egoist demo: --messages, --timeout and --settle must not be negative");
            return 2;
        }
        Demo.Result result;
        PrintWriter out = spec.commandLine().getOut();
        DemoWatch watcher = watch ? new DemoWatch(this, out, err) : null;
        try (LogLevel quiet = verbose ? null : LogLevel.warnOnly()) {
            Double ping = pingPeriod, rewire = rewirePeriod;
            java.util.function.UnaryOperator<io.egoist.node.NodeConfig> tune = c -> {
                if (ping != null) c = c.withPingPeriodMs(Seconds.toMillis(ping));
                if (rewire != null) c = c.withRewirePeriodMs(Seconds.toMillis(rewire));
                return c;
            };
            Demo demo = new Demo(new Demo.Params(nodes, k, policy, seed, messages, timeout, settle, crash, tune), err);
            if (watcher != null) demo.watch(watcher::started, watcher::running);
            result = demo.run();
        } catch (IllegalArgumentException e) {
            err.println("egoist demo: " + e.getMessage());
            return 2;
        } finally {
            if (watcher != null) watcher.stopped();
        }
        if (watcher == null) report(out, result);
        return 0;
    }

    void report(PrintWriter out, Demo.Result result) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(mapper.writeValueAsString(toJson(result)));
        } else {
            printReport(out, result);
        }
        out.flush();
    }

    static Map<String, Object> toJson(Demo.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("converged", r.converged());
        m.put("convergence_s", r.converged() ? NodeJson.number(r.convergenceSeconds()) : null);
        m.put("nodes", r.nodes());
        m.put("k", r.k());
        m.put("policy", r.policy());
        m.put("mean_cost_overlay", NodeJson.number(r.meanCostOverlay()));
        m.put("mean_cost_full_mesh", NodeJson.number(r.meanCostFullMesh()));
        m.put("mean_cost_direct", NodeJson.number(r.meanCostDirect()));
        m.put("messages_sent", r.messagesSent());
        m.put("messages_delivered", r.messagesDelivered());
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (Demo.MessageResult x : r.messages()) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("from", x.from());
            mm.put("to", x.to());
            mm.put("from_id", x.fromId().toString());
            mm.put("to_id", x.toId().toString());
            mm.put("delivered", x.delivered());
            mm.put("path", x.path());
            mm.put("route_cost_ms", NodeJson.number(x.routeCostMs()));
            mm.put("measured_rtt_ms", NodeJson.number(x.measuredRttMs()));
            mm.put("direct_rtt_ms", NodeJson.number(x.directRttMs()));
            if (x.error() != null) mm.put("error", x.error());
            msgs.add(mm);
        }
        m.put("messages", msgs);
        List<Map<String, Object>> per = new ArrayList<>();
        for (Demo.NodeResult n : r.perNode()) {
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("name", n.name());
            nm.put("id", n.id().toString());
            nm.put("neighbors", n.neighbors());
            nm.put("cost_overlay", NodeJson.number(n.costOverlay()));
            nm.put("cost_full_mesh", NodeJson.number(n.costFullMesh()));
            nm.put("cost_direct", NodeJson.number(n.costDirect()));
            nm.put("cost_measured", NodeJson.number(n.ownCostMeasured()));
            per.add(nm);
        }
        m.put("per_node", per);
        if (r.crash() != null) {
            Demo.CrashResult c = r.crash();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("mode", c.mode());
            cm.put("victim", c.victim());
            cm.put("victim_id", c.victimId().toString());
            cm.put("affected_pairs", c.pairs());
            cm.put("recovered_pairs", c.pairsRecovered());
            cm.put("recovery_ms", NodeJson.number(c.recoveryMs()));
            cm.put("recovery_sent_ms", NodeJson.number(c.recoverySentMs()));
            cm.put("median_recovery_ms", NodeJson.number(c.medianRecoveryMs()));
            cm.put("tracker_removed", c.trackerRemoved());
            cm.put("tracker_removal_ms", c.trackerRemoved() ? NodeJson.number(c.trackerRemovalMs()) : null);
            m.put("crash", cm);
        }
        m.put("elapsed_s", NodeJson.number(r.elapsedSeconds()));
        return m;
    }

    private static void printReport(PrintWriter out, Demo.Result r) {
        out.printf(
                Locale.ROOT,
                "EGOIST demo: %d nodes, k=%d, policy %s — %s%n",
                r.nodes(),
                r.k(),
                r.policy(),
                r.converged()
                        ? String.format(Locale.ROOT, "converged (last re-wiring at %.1f s)", r.convergenceSeconds())
                        : "NOT converged before the deadline");
        out.println();
        out.println("Costs are the mean RTT (ms) from a node to every other node: over the overlay's shortest paths,");
        out.println("over the full mesh's shortest paths (the best any wiring could do), and over the direct paths.");
        out.println();
        out.printf(
                Locale.ROOT,
                "%-6s %-21s %-20s %9s %9s %9s%n",
                "node",
                "id",
                "neighbors",
                "overlay",
                "fullmesh",
                "direct");
        for (Demo.NodeResult n : r.perNode()) {
            out.printf(
                    Locale.ROOT,
                    "%-6s %-21s %-20s %9.1f %9.1f %9.1f%n",
                    n.name(),
                    n.id(),
                    String.join(",", n.neighbors()),
                    n.costOverlay(),
                    n.costFullMesh(),
                    n.costDirect());
        }
        out.printf(
                Locale.ROOT,
                "%-49s %9.1f %9.1f %9.1f%n",
                "mean",
                r.meanCostOverlay(),
                r.meanCostFullMesh(),
                r.meanCostDirect());
        out.println();
        out.printf(
                Locale.ROOT,
                "Test messages: %d sent, %d delivered (route cost = sum of the measured link costs on the path)%n",
                r.messagesSent(),
                r.messagesDelivered());
        out.printf(
                Locale.ROOT,
                "%-6s %-6s %-30s %10s %10s %10s%n",
                "from",
                "to",
                "path",
                "route ms",
                "rtt ms",
                "direct ms");
        for (Demo.MessageResult m : r.messages()) {
            if (m.delivered()) {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-6s %-30s %10.1f %10.1f %10.1f%n",
                        m.from(),
                        m.to(),
                        String.join(">", m.path()),
                        m.routeCostMs(),
                        m.measuredRttMs(),
                        m.directRttMs());
            } else {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-6s %-30s %10s %10s %10.1f%n",
                        m.from(),
                        m.to(),
                        "FAILED: " + m.error(),
                        "-",
                        "-",
                        m.directRttMs());
            }
        }
        if (r.crash() != null) {
            Demo.CrashResult c = r.crash();
            out.println();
            out.printf(
                    Locale.ROOT,
                    "Crash (%s): %s (%s); %d/%d affected pairs recovered: every pair had a message acknowledged"
                            + " %.0f ms after the crash (median pair %.0f ms); %s%n",
                    c.mode(),
                    c.victim(),
                    c.victimId(),
                    c.pairsRecovered(),
                    c.pairs(),
                    c.recoveryMs(),
                    c.medianRecoveryMs(),
                    c.trackerRemoved()
                            ? String.format(Locale.ROOT, "tracker removed it after %.0f ms", c.trackerRemovalMs())
                            : "the tracker had not removed it yet");
        }
        out.printf(Locale.ROOT, "%nDone in %.1f s.%n", r.elapsedSeconds());
    }
}
