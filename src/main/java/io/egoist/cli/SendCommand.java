package io.egoist.cli;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description =
                "Send a message over the overlay from a running node (POST /send); waits for the destination's acknowledgement.")
public final class SendCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "IP:PORT", description = "The destination node.")
    String to;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The message (UTF-8).")
    String text;

    @CommandLine.Mixin
    ControlClient.Options options = new ControlClient.Options();

    @Override
    public Integer call() {
        return ControlClient.run(
                spec,
                options,
                c -> c.post("/send?to=" + ControlClient.enc(to), text.getBytes(StandardCharsets.UTF_8)),
                (out, b) -> out.printf(
                        Locale.ROOT,
                        "delivered to %s in %d hop(s): %s%nroute cost %s, measured round trip %s%n",
                        b.path("to").asText(),
                        b.path("hops").asInt(),
                        RouteCommand.path(b.path("path")),
                        StatusCommand.cost(b.get("route_cost_ms")),
                        StatusCommand.cost(b.get("rtt_ms"))));
    }
}
