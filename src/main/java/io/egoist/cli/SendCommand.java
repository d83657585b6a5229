package io.egoist.cli;

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

    @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT", description = "The message (UTF-8).")
    String text;

    @Option(
            names = "--file",
            paramLabel = "FILE",
            description = "Send this file's bytes instead of TEXT (at most 65536 bytes, the node's maximum payload).")
    java.nio.file.Path file;

    @Option(
            names = "--mode",
            paramLabel = "best|overlay",
            description = "The routing mode of this message at its source (default: overlay, the papers' routing).")
    String mode;

    @CommandLine.Mixin
    ControlClient.Options options = new ControlClient.Options();

    @Override
    public Integer call() {
        if ((text == null) == (file == null)) {
            spec.commandLine().getErr().println("egoist send: give the message as TEXT or --file FILE (one of them)");
            spec.commandLine().getErr().flush();
            return 2;
        }
        if (mode != null) {
            try {
                mode = io.egoist.node.routing.RouteMode.parse(mode).label();
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("egoist send: --mode: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode body = ControlClient.JSON.createObjectNode();
        if (text != null) {
            body.put("text", text);
        } else {
            try {
                long size = java.nio.file.Files.size(file);
                if (size > io.egoist.runtime.HttpJsonServer.MAX_BODY) {
                    spec.commandLine()
                            .getErr()
                            .println("egoist send: --file: " + size + " bytes is more than the node takes (at most "
                                    + io.egoist.node.runtime.EgoistNode.MAX_PAYLOAD + " bytes)");
                    spec.commandLine().getErr().flush();
                    return 2;
                }
                body.put(
                        "base64", java.util.Base64.getEncoder().encodeToString(java.nio.file.Files.readAllBytes(file)));
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("egoist send: --file: cannot read " + file + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
        }
        return ControlClient.run(
                spec,
                options,
                c -> c.postJson("/send?to=" + ControlClient.enc(to) + (mode == null ? "" : "&mode=" + mode), body),
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
