package io.egoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.egoist.node.routing.RouteMode;
import io.egoist.tunnel.Service;
import io.egoist.wire.NodeId;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "forward",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Forward a local UDP or TCP port through the overlay to a service another node exposes (POST /forwards),",
            "list the node's forwards with their counters (--list, GET /forwards) or remove one (--delete ID)."
        })
public final class ForwardCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "PROTO:HOST:PORT", description = "Local address, udp:... or tcp:...")
    String listen;

    @Option(names = "--to", paramLabel = "IP:PORT", description = "The node that exposes the service.")
    String to;

    @Option(names = "--service", paramLabel = "NAME", description = "The service's name (egoist node --expose).")
    String service;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "How both ends route the tunnel's frames: best (default: the lowest-latency route, direct"
                    + " links to non-neighbors included) or overlay (the overlay's shortest path over out-links).")
    String mode;

    @Option(names = "--list", description = "List the node's forwards and counters.")
    boolean list;

    @Option(names = "--delete", paramLabel = "ID", description = "Remove the forward with this id.")
    Long delete;

    @CommandLine.Mixin
    ControlClient.Options options = new ControlClient.Options();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String usage = usage();
        if (usage != null) {
            err.println("egoist forward: " + usage);
            err.flush();
            return 2;
        }
        if (list) return ControlClient.run(spec, options, c -> c.get("/forwards"), ForwardCommand::printList);
        if (delete != null)
            return ControlClient.run(
                    spec, options, c -> c.delete("/forwards/" + delete), (out, b) -> out.println("removed " + delete));
        ObjectNode body = ControlClient.JSON.createObjectNode();
        body.put("listen", listen).put("to", to).put("service", service);
        body.put(
                "mode",
                mode == null ? RouteMode.BEST.label() : RouteMode.parse(mode).label());
        return ControlClient.run(spec, options, c -> c.postJson("/forwards", body), (out, b) -> {
            out.print("forward " + b.path("id").asLong() + ": ");
            out.println(line(b));
        });
    }

    /** What is wrong with the options, or null. */
    private String usage() {
        int modes = (list ? 1 : 0)
                + (delete != null ? 1 : 0)
                + (listen != null || to != null || service != null || mode != null ? 1 : 0);
        if (modes > 1) return "give either --list, --delete ID, or --listen with --to and --service (and --mode)";
        if (list || delete != null) return null;
        if (listen == null || to == null || service == null)
            return "--listen, --to and --service are needed (or --list, or --delete ID)";
        try {
            Service.Endpoint.parse(listen);
        } catch (IllegalArgumentException e) {
            return "--listen: " + e.getMessage();
        }
        String bad = NodeId.problem(to);
        if (bad != null) return "--to: " + bad;
        if (!Service.NAME.matcher(service).matches()) return "--service: bad name '" + service + "'";
        try {
            if (mode != null) RouteMode.parse(mode);
        } catch (IllegalArgumentException e) {
            return "--mode: " + e.getMessage();
        }
        return null;
    }

    private static String line(JsonNode f) {
        return String.format(
                Locale.ROOT,
                "%s -> %s service %s mode %s",
                f.path("listen").asText(),
                f.path("to").asText(),
                f.path("service").asText(),
                f.path("mode").asText("best"));
    }

    private static void printList(PrintWriter out, JsonNode b) {
        out.printf(
                Locale.ROOT,
                "forwards of %s (%d):%n",
                b.path("id").asText(),
                b.path("forwards").size());
        for (JsonNode f : b.path("forwards")) {
            StringBuilder c = new StringBuilder();
            for (Map.Entry<String, JsonNode> e : f.path("counters").properties())
                c.append(' ').append(e.getKey()).append('=').append(e.getValue().asText());
            out.printf(Locale.ROOT, "  %d  %s %s%n", f.path("id").asLong(), line(f), c);
        }
        out.println("exposed: " + b.path("exposed"));
    }
}
