package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.egoist.node.runtime.Demo;
import java.io.PrintWriter;
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
            "By default in secure mode: a temporary network CA in a temporary directory (deleted at exit), a certificate for the tracker and one per node, mutual TLS on every connection, signed link state and end-to-end DATA; --open runs the open v0.2 mode instead.",
            "",
            "Everything runs in this process on 127.0.0.1 with ephemeral ports. The nodes are countries of the shipped RIPE Atlas matrix (/data/ripe-country-rtt.csv), spread evenly over its alphabetical order (which mixes continents); every line between two nodes is delayed by half their RTT. Periods are shortened (a probe every 2 s, a re-wiring step every 3 s); failure detection keeps its defaults (heartbeat 0.5 s, 3 misses).",
            "",
            "The demo waits until the overlay has converged (every node has k neighbors, everyone reaches everyone, no re-wiring for --settle seconds) or --timeout passed, sends test messages over the overlay and reports per node its neighbors and costs (overlay vs full mesh vs direct) and per message the route, its cost, the measured round trip and the direct RTT; then the DATA latency per overlay hop, and the round trips over a UDP and a TCP tunnel between the two nodes farthest apart (with --crash, a relay on the tunnels' path is the node crashed, and the report gives each tunnel's stall). Progress goes to stderr, the report (or --json) to stdout. Exit code 0 once everything is closed, also when the overlay did not converge (\"converged\": false).",
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

    @Option(
            names = "--open",
            description =
                    "Run the overlay in open v0.2 mode (no credentials) instead of secure mode (a temporary network CA, one certificate per node and the tracker, mutual TLS, signed link state, end-to-end DATA).")
    boolean open;

    @Option(
            names = "--tunnels",
            negatable = true,
            description =
                    "After the messages, forward a UDP and a TCP port between the two nodes farthest apart to echo services and measure round trips over them (--no-tunnels to skip).")
    boolean tunnels = true;

    @Option(
            names = "--latency-rounds",
            paramLabel = "N",
            description =
                    "For the DATA latency per hop: messages sent one after the other between each test pair, beyond the test messages (0 = the test messages only).")
    int latencyRounds = 4;

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
        if (messages < 0 || timeout <= 0 || settle < 0 || latencyRounds < 0) {
            err.println("egoist demo: --messages, --timeout, --settle and --latency-rounds must not be negative");
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
            if (open) org.slf4j.LoggerFactory.getLogger(DemoCommand.class).warn(SecureOptions.OPEN_WARNING);
            Demo demo = new Demo(
                    new Demo.Params(
                            nodes,
                            k,
                            policy,
                            seed,
                            messages,
                            timeout,
                            settle,
                            crash,
                            tune,
                            !open,
                            tunnels,
                            latencyRounds),
                    err);
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
            out.println(mapper.writeValueAsString(DemoReport.toJson(result)));
        } else {
            DemoReport.print(out, result);
        }
        out.flush();
    }
}
