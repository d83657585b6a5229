package io.egoist.node.runtime;

import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * DATA latency per overlay hop, from messages' measured round trips. A message's round trip crosses the hops of its
 * path there and those of the destination's route back (its acknowledgement's way); every hop's line is held back
 * by the latency emulation for half the pair's matrix RTT. So per message: {@code rtt / hops} is the mean one-way
 * time per hop, and {@code (rtt - emulated) / hops} what each hop cost beyond the emulated delay (the nodes' own
 * work: framing, TLS records and, in secure mode, the ends' sealing and opening, spread over the hops).
 */
public final class DemoHops {
    /** One message: its hops there and back, its measured round trip and the emulated delay of those hops. */
    public record Sample(String from, String to, int hops, double rttMs, double emulatedMs) {
        double overheadPerHopMs() {
            return (rttMs - emulatedMs) / hops;
        }
    }

    /**
     * The figures over all samples: medians of {@code rtt / hops} and of {@code (rtt - emulated) / hops}, and the
     * aggregate {@code sum(rtt - emulated) / sum(hops)}.
     */
    public record Result(
            int samples,
            int hops,
            double medianRttPerHopMs,
            double medianOverheadPerHopMs,
            double overallOverheadPerHopMs,
            List<Sample> all) {}

    private DemoHops() {}

    /**
     * Sends {@code rounds} more messages between each pair (one after the other per pair, the pairs side by side)
     * and returns the samples of these and of {@code first} (the demo's test messages; pairs given by index).
     */
    static Result measure(LocalOverlay o, List<int[]> pairs, List<Demo.MessageResult> first, int rounds) {
        List<Sample> samples = new ArrayList<>();
        for (int p = 0; p < pairs.size() && p < first.size(); p++) {
            Demo.MessageResult m = first.get(p);
            if (!m.delivered()) continue;
            List<NodeId> there = new ArrayList<>();
            for (String name : m.path())
                there.add(o.node(o.matrix().names().indexOf(name)).id());
            Sample s = sample(o, pairs.get(p), there, m.measuredRttMs());
            if (s != null) samples.add(s);
        }
        List<CompletableFuture<List<EgoistNode.SendResult>>> perPair = new ArrayList<>();
        for (int[] pair : pairs) perPair.add(rounds(o, pair, rounds));
        for (int p = 0; p < pairs.size(); p++) {
            for (EgoistNode.SendResult sent : perPair.get(p).join()) {
                Sample s = sample(o, pairs.get(p), sent.path(), sent.rttMs());
                if (s != null) samples.add(s);
            }
        }
        return summarize(samples);
    }

    static Result summarize(List<Sample> samples) {
        double[] perHop =
                samples.stream().mapToDouble(s -> s.rttMs() / s.hops()).sorted().toArray();
        double[] over =
                samples.stream().mapToDouble(Sample::overheadPerHopMs).sorted().toArray();
        int hops = samples.stream().mapToInt(Sample::hops).sum();
        double extra =
                samples.stream().mapToDouble(s -> s.rttMs() - s.emulatedMs()).sum();
        return new Result(
                samples.size(), hops, median(perHop), median(over), hops == 0 ? Double.NaN : extra / hops, samples);
    }

    /** The median of sorted values (NaN for none). */
    static double median(double[] sorted) {
        if (sorted.length == 0) return Double.NaN;
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@code rounds} messages from pair[0] to pair[1], each sent when the one before was acknowledged or lost. */
    private static CompletableFuture<List<EgoistNode.SendResult>> rounds(LocalOverlay o, int[] pair, int rounds) {
        EgoistNode src = o.node(pair[0]);
        NodeId dst = o.node(pair[1]).id();
        byte[] text = ("latency from " + o.matrix().names().get(pair[0])).getBytes(StandardCharsets.UTF_8);
        List<EgoistNode.SendResult> out = new ArrayList<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int r = 0; r < rounds; r++) {
            chain = chain.thenCompose(x -> src.send(dst, text)
                    .orTimeout(10, TimeUnit.SECONDS)
                    .handle((sent, err) -> {
                        // a lost message has no latency; the test messages report losses
                        if (sent != null) {
                            synchronized (out) {
                                out.add(sent);
                            }
                        }
                        return null;
                    }));
        }
        return chain.thenApply(x -> {
            synchronized (out) {
                return List.copyOf(out);
            }
        });
    }

    /** The sample of one acknowledged message, with the destination's current route back; null if unknown. */
    private static Sample sample(LocalOverlay o, int[] pair, List<NodeId> there, double rttMs) {
        EgoistNode dst = o.node(pair[1]);
        Optional<Route> back;
        try {
            back = dst.route(o.node(pair[0]).id(), RouteMode.OVERLAY)
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join();
        } catch (RuntimeException e) {
            return null;
        }
        if (back.isEmpty() || there.size() < 2) return null;
        int hops = there.size() - 1 + back.get().path().size() - 1;
        double emulated =
                DemoTunnels.oneWay(o, there) + DemoTunnels.oneWay(o, back.get().path());
        if (Double.isNaN(emulated) || Double.isNaN(rttMs)) return null;
        List<String> names = Arrays.asList(
                o.matrix().names().get(pair[0]), o.matrix().names().get(pair[1]));
        return new Sample(names.get(0), names.get(1), hops, rttMs, emulated);
    }
}
