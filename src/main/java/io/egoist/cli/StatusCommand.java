package io.egoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Show a running node's status (GET /status of its control API).")
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ControlClient.Options options = new ControlClient.Options();

    @Override
    public Integer call() {
        return ControlClient.run(spec, options, c -> c.get("/status"), StatusCommand::print);
    }

    static String cost(JsonNode n) {
        return n == null || n.isNull() ? "-" : String.format(Locale.ROOT, "%.1f ms", n.asDouble());
    }

    private static void print(PrintWriter out, JsonNode s) {
        out.printf(
                Locale.ROOT,
                "node %s  phase %s  policy %s  k %d%n",
                s.path("id").asText(),
                s.path("phase").asText(),
                s.path("policy").asText(),
                s.path("k").asInt());
        out.printf(
                Locale.ROOT,
                "known nodes %d  unreachable %d  own cost C_i %s%n",
                s.path("known_nodes").asInt(),
                s.path("unreachable").asInt(),
                cost(s.get("own_cost_ms")));
        JsonNode ns = s.path("neighbors");
        out.printf(Locale.ROOT, "neighbors (%d):%n", ns.size());
        for (JsonNode n : ns) {
            out.printf(
                    Locale.ROOT,
                    "  %-21s %12s  %-9s %s%n",
                    n.path("id").asText(),
                    cost(n.get("cost_ms")),
                    n.path("connected").asBoolean() ? "connected" : "down",
                    n.get("features") == null || n.get("features").isNull()
                            ? "features ?"
                            : "features " + n.get("features"));
        }
    }
}
