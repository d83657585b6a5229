package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.node.runtime.RouteTunnelBench;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/** {@code egoist bench routes --measure}: runs {@link RouteTunnelBench} and prints its figures. */
final class MeasuredRoutes {
    private MeasuredRoutes() {}

    static int print(CommandLine cl, RouteTunnelBench.Settings s, boolean json) throws Exception {
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        RouteTunnelBench.Result r;
        try (LogLevel quiet = LogLevel.warnOnly()) {
            r = RouteTunnelBench.run(s, line -> {
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
                "%d nodes (RIPE) on 127.0.0.1 with emulated latencies, k=%d, BR, seed %d: %s; %d/%d pairs measured "
                        + "(median of %d UDP echoes per pair and mode); wall %.0f s%n",
                r.nodes(),
                r.k(),
                r.seed(),
                r.converged()
                        ? String.format(Locale.ROOT, "converged after %.0f s", r.convergedAfterSeconds())
                        : "not converged by the deadline",
                r.measuredPairs(),
                r.pairs().size(),
                r.echoes(),
                r.wallSeconds());
        out.printf(
                Locale.ROOT,
                "  %-9s %8s %8s %8s | %-32s %8s %8s | %-24s %8s %8s%n",
                "pair",
                "direct",
                "measured",
                "mesh",
                "best: route there",
                "priced",
                "tunnel",
                "overlay: route there",
                "priced",
                "tunnel");
        for (RouteTunnelBench.Pair p : r.pairs()) {
            String pair = p.from() + ">" + p.to();
            if (p.error() != null) {
                out.printf(Locale.ROOT, "  %-9s %8.1f  %s%n", pair, p.directMs(), p.error());
                continue;
            }
            out.printf(
                    Locale.ROOT,
                    "  %-9s %8.1f %8.1f %8.1f | %-32s %8.1f %8.1f | %-24s %8.1f %8.1f%n",
                    pair,
                    p.directMs(),
                    p.measuredDirectMs(),
                    p.fullMeshMs(),
                    path(p.best().path()) + " (" + p.best().firstHopOver() + ")",
                    p.best().pricedMs(),
                    p.best().medianMs(),
                    path(p.overlay().path()),
                    p.overlay().pricedMs(),
                    p.overlay().medianMs());
        }
        out.printf(Locale.ROOT, "mean RTT over the %d measured pairs (ms)%n", r.measuredPairs());
        out.printf(
                Locale.ROOT,
                "  best       %7.1f measured over the tunnel (priced along the routes %.1f)%n",
                r.meanMeasuredBest(),
                r.meanPricedBest());
        out.printf(
                Locale.ROOT,
                "  overlay    %7.1f measured over the tunnel (priced along the routes %.1f)%n",
                r.meanMeasuredOverlay(),
                r.meanPricedOverlay());
        out.printf(Locale.ROOT, "  full mesh  %7.1f%n", r.meanFullMesh());
        out.printf(
                Locale.ROOT,
                "  direct     %7.1f emulated (measured by the sources %.1f)%n",
                r.meanDirect(),
                r.meanMeasuredDirect());
        out.printf(
                Locale.ROOT,
                "all %d ordered pairs, the live nodes' routes priced at the matrix RTTs: best %.1f, overlay %.1f, "
                        + "full mesh %.1f, direct %.1f ms%n",
                r.allPairs(),
                r.allMeanBest(),
                r.allMeanOverlay(),
                r.allMeanFullMesh(),
                r.allMeanDirect());
        out.flush();
        return 0;
    }

    private static String path(List<String> names) {
        return String.join(">", names);
    }
}
