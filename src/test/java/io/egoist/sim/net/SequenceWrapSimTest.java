package io.egoist.sim.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.node.NodeCore;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Link-state sequence numbers under virtual time, with the real cores (issue 9): the first number is 0 as v0.2's;
 * a node whose counter passes 4999 -> 0 stays accepted by our nodes (serial arithmetic); near the wrap a node with
 * v0.2 peers warns once; a restarted node (starting at 0 again, behind what its peers hold) is accepted again at
 * once because its neighbors answer its stale announcement with the copy they hold and it jumps past it.
 */
class SequenceWrapSimTest {

    private static void awaitConverged(SimOverlay o, long deadlineMs) {
        VirtualNetwork net = o.net();
        net.runUntil(60_000); // every node started and joined
        while (net.now() < deadlineMs) {
            if (o.wiringProblems().isEmpty()
                    && o.unreachablePairs().isEmpty()
                    && o.routeMismatches().isEmpty()) return;
            net.runFor(1000);
        }
        throw new AssertionError("not converged by " + deadlineMs + " ms: wiring=" + o.wiringProblems());
    }

    /** Whether every live node of ours holds {@code x}'s latest number and links. */
    private static boolean everyoneHoldsTheLatestOf(SimOverlay o, NodeId x, Set<NodeId> except) {
        NodeCore cx = o.core(x);
        for (NodeId a : o.ids()) {
            if (a.equals(x) || except.contains(a)) continue;
            if (o.core(a).lastSeq(x) != cx.ownSequence()) return false;
            if (!o.core(a).linksOf(x).equals(cx.announcedLinks())) return false;
        }
        return true;
    }

    /** Runs in steps of 250 ms (announcements are frequent here) until everyone holds x's latest, or fails. */
    private static void awaitEveryoneHoldsTheLatestOf(SimOverlay o, NodeId x, Set<NodeId> except, long forMs) {
        long deadline = o.net().now() + forMs;
        while (!everyoneHoldsTheLatestOf(o, x, except)) {
            if (o.net().now() >= deadline) {
                Map<NodeId, Integer> held = new HashMap<>();
                for (NodeId a : o.ids()) if (!a.equals(x)) held.put(a, o.core(a).lastSeq(x));
                throw new AssertionError(x + " announces " + o.core(x).ownSequence() + ", others hold " + held);
            }
            o.net().runFor(250);
        }
    }

    /** An update under {@code x}'s own id with {@code seq}: pushes x's counter forward (x jumps past it). */
    private static String ownIdLine(NodeId x, int seq, NodeId to) {
        return "UPT@" + Integer.toHexString(0xabc000 + seq) + "@" + seq + "@" + x + "@" + to + "@1.0|";
    }

    /**
     * Drives node {@code x}'s counter to {@code target} without 5000 announcements: updates of its own id ahead of
     * it, each less than half the number space ahead (so every receiver takes x's next number as newer), make it
     * jump past them (the self-healing re-announcement), as a forged or previous-life number would.
     */
    private static void pushCounterTo(SimOverlay o, NodeId x, int target, String fromIp) {
        NodeCore cx = o.core(x);
        List<String> script = new ArrayList<>();
        int s = cx.ownSequence();
        while (Math.floorMod(target - s, 5000) > 2000) {
            s = (s + 2000) % 5000;
            script.add(ownIdLine(x, s, o.ids().get(1)));
        }
        script.add(ownIdLine(x, target, o.ids().get(1)));
        OverlaySimulationTest.ScriptedPeer injector = new OverlaySimulationTest.ScriptedPeer(x, script, true);
        o.net().addCore(fromIp, 7000, 0, injector);
        o.net().runFor(script.size() * 2_000L + 1_000);
        assertThat(cx.ownSequence()).isBetween(target + 1, 4_999);
    }

    @Test
    void everyNodesFirstSequenceNumberIs0() {
        SimOverlay o = SimOverlay.ripe(8, 31, c -> c.withRewirePeriodMs(10_000));
        Map<NodeId, Integer> firstSeen = new HashMap<>();
        o.net().addListener(new VirtualNetwork.Listener() {
            @Override
            public void lineDelivered(String from, String to, String line) {
                if (to.startsWith(SimOverlay.TRACKER_IP)) return; // tracker-form UPTs carry no number
                if (WireCodec.decode(WireCodec.Context.PEER_LINK, line) instanceof Decoded.Ok ok
                        && ok.message() instanceof Message.PeerUpdate u) firstSeen.putIfAbsent(u.source(), u.seq());
            }
        });
        o.startAll(2_000, new Random(3));
        awaitConverged(o, 400_000);
        assertThat(firstSeen.keySet()).containsExactlyInAnyOrderElementsOf(o.ids());
        assertThat(firstSeen.values()).contains(0).allMatch(seq -> seq < 3); // what the wire showed first
        for (NodeId id : o.ids()) {
            // no jump happened, so the counter counted every announcement from 0: the first one was 0
            assertThat(o.core(id).counters().ownSeqAhead).isZero();
            assertThat(o.core(id).ownSequence()).isEqualTo(o.core(id).counters().announcements - 1);
        }
    }

    @Test
    void aNodeWhoseCounterWrapsFrom4999To0KeepsBeingAcceptedByOurNodes() {
        SimOverlay o = SimOverlay.ripe(10, 32, c -> c.withRewirePeriodMs(10_000).withAnnounceRefreshMs(10_000));
        o.startAll(2_000, new Random(4));
        awaitConverged(o, 400_000);
        NodeId x = o.ids().get(3);
        pushCounterTo(o, x, 4_990, "10.0.9.1");
        awaitEveryoneHoldsTheLatestOf(o, x, Set.of(), 30_000);
        // announcements every 10 s: the counter passes 4999 -> 0 within about 100 s
        long deadline = o.net().now() + 400_000;
        while (o.core(x).ownSequence() >= 4_990 && o.net().now() < deadline)
            o.net().runFor(1_000);
        o.net().runFor(25_000); // a few announcements past the wrap
        int now = o.core(x).ownSequence();
        assertThat(now).as("wrapped").isBetween(1, 100);
        awaitEveryoneHoldsTheLatestOf(o, x, Set.of(), 30_000);
        for (NodeId a : o.ids())
            if (!a.equals(x)) assertThat(o.core(a).lastSeq(x)).isEqualTo(now);
        // no v0.2 peer here: no warning
        assertThat(o.core(x).counters().wrapWarnings).isZero();
    }

    @Test
    void nearTheWrapANodeWithV02PeersWarnsOnce() {
        Set<NodeId> legacy = Set.of(SimOverlay.nodeId(2), SimOverlay.nodeId(6));
        SimOverlay o = SimOverlay.ripe(
                8,
                33,
                c -> legacy.contains(c.self())
                        ? c.withFeatures(List.of())
                        : c.withRewirePeriodMs(10_000).withAnnounceRefreshMs(10_000));
        o.startAll(2_000, new Random(5));
        awaitConverged(o, 400_000);
        NodeId x = o.ids().get(0);
        assertThat(legacy).doesNotContain(x);
        for (NodeId l : legacy) assertThat(o.core(x).featuresOf(l)).isEmpty(); // known as v0.2 nodes
        pushCounterTo(o, x, 4_880, "10.0.9.1");
        assertThat(o.core(x).counters().wrapWarnings).isZero(); // 120 from the wrap: not yet
        long deadline = o.net().now() + 3_000_000;
        while (o.core(x).ownSequence() >= 4_880 && o.net().now() < deadline)
            o.net().runFor(1_000);
        assertThat(o.core(x).ownSequence()).isLessThan(4_880); // wrapped, after 100 announcements near it
        assertThat(o.core(x).counters().wrapWarnings).isEqualTo(1);
    }

    @Test
    void aRestartedNodeStartingAt0AgainIsAcceptedAgainByOurNodesThroughSelfHealing() {
        SimOverlay o = SimOverlay.ripe(10, 34, c -> c.withRewirePeriodMs(10_000).withAnnounceRefreshMs(10_000));
        o.startAll(2_000, new Random(6));
        awaitConverged(o, 400_000);
        NodeId x = o.ids().get(5);
        pushCounterTo(o, x, 1_500, "10.0.9.1"); // its previous life got far: 1500 numbers ahead of a fresh 0
        awaitEveryoneHoldsTheLatestOf(o, x, Set.of(), 30_000);
        int before = o.core(x).ownSequence();
        long answeredBefore = 0;
        for (NodeId a : o.ids()) if (!a.equals(x)) answeredBefore += o.core(a).counters().staleAnswered;
        assertThat(answeredBefore).isZero();

        o.net().crash(x);
        o.net().runFor(2_000);
        o.net().restart(x);
        NodeCore fresh = o.core(x);
        // its peers still hold the previous life's number: its first (0) is stale to them, they answer with
        // the copy they hold, it jumps past it and announces at once
        awaitEveryoneHoldsTheLatestOf(o, x, Set.of(), 20_000);
        assertThat(fresh.counters().ownSeqAhead).isPositive();
        assertThat(fresh.ownSequence()).isGreaterThan(before).isLessThan(before + 100);
        long answered = 0;
        for (NodeId a : o.ids()) if (!a.equals(x)) answered += o.core(a).counters().staleAnswered;
        assertThat(answered).isPositive();
        // and a message to it is delivered over the links it announced after the restart
        VirtualNetwork.DataOutcome m = o.net().sendData(o.ids().get(0), x, WireCodec.HELLO.getBytes());
        o.net().runFor(5_000);
        assertThat(m.acked()).as(m.toString()).isTrue();
    }
}
