package io.egoist.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Send a message over the overlay from a running node (POST /send); waits for the destination's acknowledgement.")
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ControlClient.Answer a = new ControlClient(options)
                    .post("/send?to=" + ControlClient.enc(to), text.getBytes(StandardCharsets.UTF_8));
            if (a.status() != 200) throw new ControlClient.Failure(a.error());
            if (options.json) {
                out.println(a.body().toString());
            } else {
                out.printf(Locale.ROOT, "delivered to %s in %d hop(s): %s%nroute cost %s, measured round trip %s%n",
                        a.body().path("to").asText(), a.body().path("hops").asInt(), RouteCommand.path(a.body().path("path")),
                        StatusCommand.cost(a.body().get("route_cost_ms")), StatusCommand.cost(a.body().get("rtt_ms")));
            }
            out.flush();
            return 0;
        } catch (ControlClient.Failure f) {
            err.println("egoist send: " + f.getMessage());
            err.flush();
            return 1;
        }
    }
}
