package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.node.runtime.RouteTunnelBench;
import io.egoist.sim.net.RouteModeBench;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "routes",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Compare the routing modes: mean RTT over all pairs of mode best, mode overlay, the full mesh and the direct paths.",
            "",
            "Runs real node cores (and the tracker core) under virtual time with the RIPE matrix's latencies (the demo's "
                    + "spread of countries), policy BR, default periods; once the overlay has converged, reads every "
                    + "pair's route from its source in both modes, prices it at the matrix RTTs along its path, and sends "
                    + "one message per pair in mode best.",
            "",
            "With --measure: real nodes on loopback instead, with the same latencies emulated (lines and tunnel frames); "
                    + "once converged, for --pairs ordered pairs (spread over the matrix's RTTs, drawn with --seed) the "
                    + "median of --echoes UDP echoes through a tunnel in mode best and one in mode overlay, next to the "
                    + "direct RTT, the full mesh and the routes' costs. Progress on stderr.",
            ""
        })
public final class BenchRoutesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", description = "Nodes (countries of the RIPE matrix, 2..94).")
    int nodes = 20;

    @Option(names = "--k", description = "Out-neighbors per node.")
    int k = 3;

    @Option(names = "--seed", description = "Seed of the start times and the cores' randomness.")
    long seed = 1;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(
            names = "--measure",
            description = "Measure UDP echoes through tunnels on real nodes on loopback (latency emulation) "
                    + "instead of pricing routes under virtual time.")
    boolean measure;

    @Option(
            names = "--pairs",
            description = "With --measure: ordered pairs to measure (default " + RouteTunnelBench.DEFAULT_PAIRS + ").")
    Integer pairs;

    @Option(
            names = "--echoes",
            description = "With --measure: timed echoes per pair and mode (default "
                    + RouteTunnelBench.DEFAULT_ECHOES
                    + "; the median is reported).")
    Integer echoes;

    @Option(
            names = "--converge-timeout",
            description = "With --measure: seconds to wait for convergence before measuring anyway (default "
                    + RouteTunnelBench.DEFAULT_CONVERGE_SECONDS
                    + ").")
    Integer convergeTimeout;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (nodes < 2 || nodes > 94)
            throw new CommandLine.ParameterException(cl, "--nodes must be 2..94, not " + nodes);
        if (k < 1 || k >= nodes)
            throw new CommandLine.ParameterException(cl, "--k must be 1.." + (nodes - 1) + ", not " + k);
        if (!measure) {
            for (Object[] o :
                    new Object[][] {{"--pairs", pairs}, {"--echoes", echoes}, {"--converge-timeout", convergeTimeout}})
                if (o[1] != null) throw new CommandLine.ParameterException(cl, o[0] + " needs --measure");
        } else {
            int p = pairs == null ? RouteTunnelBench.DEFAULT_PAIRS : pairs;
            int e = echoes == null ? RouteTunnelBench.DEFAULT_ECHOES : echoes;
            int t = convergeTimeout == null ? RouteTunnelBench.DEFAULT_CONVERGE_SECONDS : convergeTimeout;
            int all = nodes * (nodes - 1);
            if (p < 1 || p > all)
                throw new CommandLine.ParameterException(cl, "--pairs must be 1.." + all + ", not " + p);
            if (e < 1 || e > 100) throw new CommandLine.ParameterException(cl, "--echoes must be 1..100, not " + e);
            if (t < 1 || t > 3600)
                throw new CommandLine.ParameterException(cl, "--converge-timeout must be 1..3600, not " + t);
            return MeasuredRoutes.print(cl, new RouteTunnelBench.Settings(nodes, k, seed, p, e, t), json);
        }
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        RouteModeBench.Result r;
        try (LogLevel quiet = LogLevel.warnOnly()) {
            r = RouteModeBench.run(nodes, k, seed, line -> {
                err.println("bench routes: " + line);
                err.flush();
            });
        }
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r));
            out.flush();
            return 0;
        }
        out.printf(
                Locale.ROOT,
                "%d nodes (RIPE), k=%d, BR, seed %d: converged at %.0f virtual s; %d ordered pairs%n",
                r.nodes(),
                r.k(),
                r.seed(),
                r.convergedAtSeconds(),
                r.pairs());
        out.printf(Locale.ROOT, "mean RTT over all pairs (ms, matrix RTTs along each route's path)%n");
        out.printf(Locale.ROOT, "  best       %7.1f%n", r.meanBest());
        out.printf(Locale.ROOT, "  overlay    %7.1f%n", r.meanOverlay());
        out.printf(Locale.ROOT, "  full mesh  %7.1f%n", r.meanFullMesh());
        out.printf(Locale.ROOT, "  direct     %7.1f%n", r.meanDirect());
        out.printf(
                Locale.ROOT,
                "best routes: %d direct, %d via a neighbor, %d via another measured node; %d worse than direct%n",
                r.bestDirect(),
                r.bestViaNeighbor(),
                r.bestViaOtherFirstHop(),
                r.bestWorseThanDirect());
        out.printf(
                Locale.ROOT,
                "messages in mode best: %d sent, %d delivered (%d along the source's route), mean path RTT %.1f ms%n",
                r.sent(),
                r.delivered(),
                r.deliveredAlongTheRoute(),
                r.meanDeliveredPathRtt());
        out.flush();
        return 0;
    }
}
