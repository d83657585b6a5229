package io.egoist.node.runtime;

import io.egoist.node.RouteInfo;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The demo's crash experiment (see {@link #crash}). */
final class DemoCrash {
    private final Demo demo;
    /** When the node was crashed (System.nanoTime). */
    private long crashAt;

    DemoCrash(Demo demo) {
        this.demo = demo;
    }

    long crashAt() {
        return crashAt;
    }

    /**
     * Crashes node {@code chosen} (the demo picks a relay of its tunnels), or when negative the node that most
     * routes pass through, then keeps sending between the live pairs whose route went through it until each pair
     * has a message acknowledged; recovery = the last pair's first acknowledgement after the crash. Also waits
     * (bounded) for the tracker to remove the node.
     */
    Demo.CrashResult crash(LocalOverlay o, String mode, int chosen) {
        List<Integer> live = o.liveIndices();
        Map<Integer, Integer> through = new HashMap<>();
        Map<Integer, List<int[]>> pairsVia = new HashMap<>();
        for (int s : live) {
            List<RouteInfo> routes =
                    o.node(s).routes().orTimeout(5, TimeUnit.SECONDS).join();
            for (RouteInfo r : routes) {
                int d = o.indexOf(r.destination());
                for (int h = 1; h < r.path().size() - 1; h++) {
                    int via = o.indexOf(r.path().get(h));
                    through.merge(via, 1, Integer::sum);
                    pairsVia.computeIfAbsent(via, x -> new ArrayList<>()).add(new int[] {s, d});
                }
            }
        }
        int victim = chosen >= 0
                ? chosen
                : through.entrySet().stream()
                        .max(Map.Entry.<Integer, Integer>comparingByValue()
                                .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                        .map(Map.Entry::getKey)
                        .orElse(live.get(0));
        List<int[]> affected = pairsVia.getOrDefault(victim, List.of());
        String victimName = o.matrix().names().get(victim);
        NodeId victimId = o.node(victim).id();
        demo.say(
                "crash test (%s): %s %s (%s), on the route of %d pairs",
                mode, mode.equals("hang") ? "freezing" : "stopping", victimName, victimId, affected.size());
        long crashAt = System.nanoTime();
        this.crashAt = crashAt;
        if (mode.equals("hang")) o.hang(victim);
        else o.kill(victim);
        Map<Integer, double[]> recoveredAt = new LinkedHashMap<>(); // pair -> {sent, acked} ms after the crash
        double deadline = demo.elapsed() + 20;
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        while (demo.elapsed() < deadline) {
            synchronized (recoveredAt) {
                if (recoveredAt.size() >= affected.size()) break;
            }
            for (int p = 0; p < affected.size(); p++) {
                synchronized (recoveredAt) {
                    if (recoveredAt.containsKey(p)) continue;
                }
                int pi = p;
                int[] pair = affected.get(p);
                double sentAt = (System.nanoTime() - crashAt) / 1e6;
                inFlight.add(o.node(pair[0])
                        .send(o.node(pair[1]).id(), "after the crash".getBytes(StandardCharsets.UTF_8))
                        .thenAccept(r -> {
                            if (!r.path().contains(victimId)) {
                                double ackedAt = (System.nanoTime() - crashAt) / 1e6;
                                synchronized (recoveredAt) {
                                    recoveredAt.merge(
                                            pi, new double[] {sentAt, ackedAt}, (x, y) -> x[1] <= y[1] ? x : y);
                                }
                            }
                        }));
            }
            Demo.sleep(100);
        }
        for (CompletableFuture<?> f : inFlight) {
            try {
                f.get(100, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // failed sends during the outage are expected
            }
        }
        double recovery, recoverySent, median;
        int recovered;
        synchronized (recoveredAt) {
            recovered = recoveredAt.size();
            double[] acks = recoveredAt.values().stream()
                    .mapToDouble(x -> x[1])
                    .sorted()
                    .toArray();
            recovery = acks.length == 0 ? 0 : acks[acks.length - 1];
            median = acks.length == 0 ? 0 : acks[acks.length / 2];
            recoverySent =
                    recoveredAt.values().stream().mapToDouble(x -> x[0]).max().orElse(0);
        }
        demo.say(
                "traffic between the %d affected pairs flows again: every pair had a message acknowledged %.0f ms after the crash"
                        + " (median pair %.0f ms; the last pair's message was sent at %.0f ms); %d/%d pairs",
                affected.size(), recovery, median, recoverySent, recovered, affected.size());
        double removalMs = -1;
        double removalDeadline = demo.elapsed() + 15;
        while (demo.elapsed() < removalDeadline) {
            boolean present = o.tracker().snapshot().nodes().stream().anyMatch(n -> n.id().equals(victimId));
            if (!present) {
                removalMs = (System.nanoTime() - crashAt) / 1e6;
                break;
            }
            Demo.sleep(200);
        }
        demo.say(
                removalMs >= 0 ? "the tracker removed %s after %.0f ms" : "the tracker still lists %s",
                victimName,
                removalMs);
        return new Demo.CrashResult(
                mode,
                victimName,
                victimId,
                affected.size(),
                recovered,
                recovery,
                recoverySent,
                median,
                removalMs >= 0,
                removalMs);
    }
}
