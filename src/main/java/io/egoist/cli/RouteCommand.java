package io.egoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
        description =
                "Show a running node's route to a destination (GET /route), or its whole routing table (GET /routes) without --to.")
public final class RouteCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--to", paramLabel = "IP:PORT", description = "The destination node.")
    String to;

    @CommandLine.Mixin
    ControlClient.Options options = new ControlClient.Options();

    @Override
    public Integer call() {
        return ControlClient.run(
                spec,
                options,
                c -> to == null ? c.get("/routes") : c.get("/route?to=" + ControlClient.enc(to)),
                (out, b) -> {
                    if (to == null) {
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
