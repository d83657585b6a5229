package io.egoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.bench.TunnelBench;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "tunnel",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Measure tunnels on loopback: source > two relays > destination, each a separate node.",
            "UDP 1,200-byte datagrams/s and loss at fixed offered rates, latency added per relay (median, p99),",
            "TCP bulk MB/s through the two relays next to a direct loopback connection, heap while it runs.",
            "With --crash instead: the stall of a TCP stream and of a UDP flow while the first relay on their path dies."
        })
public final class BenchTunnelCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--udp-rates", split = ",", description = "Offered UDP rates, datagrams/s.")
    int[] udpRates = {10_000, 25_000, 50_000, 75_000};

    @Option(names = "--seconds", description = "Seconds per UDP rate.")
    double seconds = 3;

    @Option(names = "--tcp-mb", description = "MB sent per TCP measurement.")
    int tcpMb = 256;

    @Option(
            names = "--samples",
            description = "Echo round trips per path for the latency figures (10 rounds, alternating paths).")
    int samples = 10_000;

    @Option(
            names = "--crash",
            arity = "0..1",
            fallbackValue = "kill",
            paramLabel = "kill|hang",
            description = "Measure only the stall of a TCP stream and a UDP flow while a relay on their path dies:"
                    + " kill (its sockets close) or hang (silent, sockets open).")
    String crash;

    @Option(names = "--crash-runs", description = "Crashes measured with --crash (each on a fresh overlay).")
    int crashRuns = 3;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (udpRates.length == 0 || java.util.Arrays.stream(udpRates).anyMatch(r -> r < 1 || r > 1_000_000))
            throw new CommandLine.ParameterException(cl, "--udp-rates must be 1..1000000 each");
        if (!(seconds > 0 && seconds <= 60))
            throw new CommandLine.ParameterException(cl, "--seconds must be in (0, 60]");
        if (tcpMb < 1 || tcpMb > 10_000) throw new CommandLine.ParameterException(cl, "--tcp-mb must be 1..10000");
        if (samples < 10 || samples > 1_000_000)
            throw new CommandLine.ParameterException(cl, "--samples must be 10..1000000");
        if (crash != null && !crash.equals("kill") && !crash.equals("hang"))
            throw new CommandLine.ParameterException(cl, "--crash must be kill or hang, not " + crash);
        if (crashRuns < 1 || crashRuns > 100)
            throw new CommandLine.ParameterException(cl, "--crash-runs must be 1..100");
        PrintWriter err = cl.getErr(), out = cl.getOut();
        Map<String, Object> r = crash != null
                ? io.egoist.bench.TunnelCrashBench.run(crashRuns, crash, err)
                : TunnelBench.run(new TunnelBench.Settings(udpRates, seconds, tcpMb, samples), err);
        if (json) out.println(new ObjectMapper().writeValueAsString(r));
        else r.forEach((k, v) -> out.println(k + ": " + v));
        out.flush();
        return 0;
    }
}
