package io.egoist.sim.net;

import io.egoist.node.RouteInfo;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Measures how long traffic between live nodes suffers after a crash: from {@code leadMs} before the crash
 * on, every {@code intervalMs} each sender sends a message to each of its destinations; recovery is the
 * earliest time from which every message sent at or after it was acknowledged, minus the crash time.
 */
public final class Recovery {
    private Recovery() {}

    /** For debugging: the outcomes of the last measurement. */
    static List<VirtualNetwork.DataOutcome> lastOutcomes = List.of();

    static long lastCrashAt;

    /**
     * @param recoveryMs  time from the crash until traffic between all measured pairs flows again (0 = never
     *                    interrupted; -1 = not recovered within the window)
     * @param pairs       measured (sender, destination) pairs
     * @param affected    pairs whose route passed through the victim just before the crash
     * @param sent        messages sent from the crash on
     * @param failed      of which failed (no route, lost, TTL, timeout)
     * @param lastFailure a description of the last failed message
     */
    public record Result(long recoveryMs, int pairs, int affected, long sent, long failed, String lastFailure) {}

    /**
     * Crashes {@code victim} at the current time + {@code leadMs}, sends between all ordered pairs of live nodes
     * other than the victim (or a random sample of {@code maxPairs}, always including every pair whose route
     * went through the victim), and runs for {@code windowMs} after the crash plus the data timeout.
     */
    public static Result measure(
            SimOverlay o,
            NodeId victim,
            boolean silent,
            long leadMs,
            long intervalMs,
            long windowMs,
            int maxPairs,
            Random random) {
        VirtualNetwork net = o.net();
        List<NodeId[]> pairs = new ArrayList<>();
        List<NodeId[]> others = new ArrayList<>();
        int affected = 0;
        for (NodeId a : net.liveNodes()) {
            if (a.equals(victim)) continue;
            for (NodeId b : net.liveNodes()) {
                if (b.equals(victim) || b.equals(a)) continue;
                RouteInfo r = net.core(a).route(b).orElse(null);
                if (r != null && r.path().contains(victim)) {
                    pairs.add(new NodeId[] {a, b});
                    affected++;
                } else {
                    others.add(new NodeId[] {a, b});
                }
            }
        }
        java.util.Collections.shuffle(others, random);
        for (NodeId[] p : others) {
            if (pairs.size() >= Math.max(maxPairs, affected)) break;
            pairs.add(p);
        }
        long crashAt = net.now() + leadMs;
        net.schedule(crashAt, () -> {
            if (silent) net.crashSilently(victim);
            else net.crash(victim);
        });
        List<VirtualNetwork.DataOutcome> outcomes = new ArrayList<>();
        byte[] payload = {42};
        long end = crashAt + windowMs;
        for (long t = net.now(); t <= end; t += intervalMs) {
            net.runUntil(t);
            if (t < crashAt) continue;
            for (NodeId[] p : pairs) outcomes.add(net.sendData(p[0], p[1], payload));
        }
        long timeout =
                net.core(pairs.isEmpty() ? victim : pairs.get(0)[0]).config().dataTimeoutMs();
        net.runUntil(end + timeout + 1000);
        long lastFailedSend = -1;
        long failed = 0;
        String lastFailure = "";
        for (VirtualNetwork.DataOutcome x : outcomes) {
            if (!x.acked()) {
                failed++;
                if (x.sentAtMillis >= lastFailedSend) {
                    lastFailedSend = x.sentAtMillis;
                    lastFailure = x.toString();
                }
            }
        }
        if (Boolean.getBoolean("egoist.recovery.debug")) {
            java.util.TreeMap<Long, Integer> hist = new java.util.TreeMap<>();
            java.util.Map<String, Integer> reasons = new java.util.TreeMap<>();
            for (VirtualNetwork.DataOutcome x : outcomes)
                if (!x.acked()) {
                    hist.merge((x.sentAtMillis - crashAt) / 500 * 500, 1, Integer::sum);
                    reasons.merge(x.reason(), 1, Integer::sum);
                }
            System.out.println("failures by send time after crash: " + hist + " reasons=" + reasons);
            outcomes.stream()
                    .filter(x -> !x.acked() && x.sentAtMillis - crashAt > 3000)
                    .limit(5)
                    .forEach(x -> System.out.println("  late failure " + x));
        }
        lastOutcomes = outcomes;
        lastCrashAt = crashAt;
        long recovery;
        if (failed == 0) recovery = 0;
        else if (lastFailedSend + intervalMs > end) recovery = -1;
        else recovery = lastFailedSend + intervalMs - crashAt;
        return new Result(recovery, pairs.size(), affected, outcomes.size(), failed, lastFailure);
    }
}
