package io.egoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.egoist.node.routing.RouteMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Show a running node's route to a destination (GET /route), or its whole routing table (GET /routes) without --to.",
            "With --mode best|overlay: the route the node gives its own traffic in that mode (best: the cheapest of the direct path and any measured first hop followed by the overlay; overlay: the papers' routing over out-links), with the direct RTT."
        })
public final class RouteCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--to", paramLabel = "IP:PORT", description = "The destination node.")
    String to;

    @Option(
            names = "--mode",
            paramLabel = "best|overlay",
            description = "The routing mode (with --to); without it, the routing-table entry.")
    String mode;

    @CommandLine.Mixin
    ControlClient.Options options = new ControlClient.Options();

    @Override
    public Integer call() {
        if (mode != null) {
            String problem = to == null ? "--mode needs --to" : null;
            try {
                if (problem == null) mode = RouteMode.parse(mode).label();
            } catch (IllegalArgumentException e) {
                problem = "--mode: " + e.getMessage();
            }
            if (problem != null) {
                spec.commandLine().getErr().println("egoist route: " + problem);
                spec.commandLine().getErr().flush();
                return 2;
            }
        }
        return ControlClient.run(
                spec,
                options,
                c -> to == null
                        ? c.get("/routes")
                        : c.get("/route?to=" + ControlClient.enc(to) + (mode == null ? "" : "&mode=" + mode)),
                (out, b) -> {
                    if (mode != null) {
                        out.println(modeLine(b));
                    } else if (to == null) {
                        out.printf(
                                Locale.ROOT,
                                "routes of %s (%d):%n",
                                b.path("id").asText(),
                                b.path("routes").size());
                        for (JsonNode r : b.path("routes")) out.println("  " + line(r));
                    } else {
                        out.println(line(b));
                    }
                });
    }

    static String path(JsonNode path) {
        List<String> hops = new ArrayList<>();
        for (JsonNode h : path) hops.add(h.asText());
        return String.join(" > ", hops);
    }

    private static String modeLine(JsonNode r) {
        return String.format(
                Locale.ROOT,
                "%-21s mode %-7s via %-21s cost %10s  direct %10s  first hop over %s  path %s",
                r.path("destination").asText(),
                r.path("mode").asText(),
                r.path("next_hop").asText(),
                StatusCommand.cost(r.get("cost_ms")),
                StatusCommand.cost(r.get("direct_ms")),
                r.path("first_hop").asText(),
                path(r.path("path")));
    }

    private static String line(JsonNode r) {
        return String.format(
                Locale.ROOT,
                "%-21s via %-21s cost %10s  path %s",
                r.path("destination").asText(),
                r.path("next_hop").asText(),
                StatusCommand.cost(r.get("cost_ms")),
                path(r.path("path")));
    }
}
