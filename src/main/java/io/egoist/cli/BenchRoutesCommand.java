package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (nodes < 2 || nodes > 94)
            throw new CommandLine.ParameterException(cl, "--nodes must be 2..94, not " + nodes);
        if (k < 1 || k >= nodes)
            throw new CommandLine.ParameterException(cl, "--k must be 1.." + (nodes - 1) + ", not " + k);
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
