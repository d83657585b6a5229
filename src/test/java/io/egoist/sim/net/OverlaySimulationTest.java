package io.egoist.sim.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.NodeCore;
import io.egoist.node.RouteInfo;
import io.egoist.tracker.TrackerSnapshot;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Many real NodeCores and the real TrackerCore under virtual time on the RIPE country matrix. */
class OverlaySimulationTest {

    /** Runs in steps of one second until the overlay is wired, connected and consistent; returns that time. */
    private static long awaitConverged(SimOverlay o, long deadlineMs) {
        VirtualNetwork net = o.net();
        while (net.now() < deadlineMs) {
            if (o.wiringProblems().isEmpty()
                    && o.unreachablePairs().isEmpty()
                    && o.routeMismatches().isEmpty()) {
                return net.now();
            }
            net.runFor(1000);
        }
        throw new AssertionError("not converged by " + deadlineMs + " ms: wiring=" + o.wiringProblems()
                + " unreachable=" + o.unreachablePairs().size() + " mismatches=" + o.routeMismatches());
    }

    private static Map<NodeId, List<Link>> announced(SimOverlay o) {
        Map<NodeId, List<Link>> m = new HashMap<>();
        for (NodeId id : o.net().liveNodes()) m.put(id, o.core(id).announcedLinks());
        return m;
    }

    private static NodeId mostLinkedTo(SimOverlay o) {
        Map<NodeId, Integer> in = new HashMap<>();
        for (NodeId id : o.net().liveNodes())
            for (Link l : o.core(id).announcedLinks()) in.merge(l.dst(), 1, Integer::sum);
        return in.entrySet().stream()
                .max(Map.Entry.<NodeId, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow()
                .getKey();
    }

    // ------------------------------------------------------------------------------ convergence

    @Test
    void thirtyNodesOnTheRipeMatrixConvergeWithRoutesEqualToDijkstraOverAnnouncedLinks() {
        SimOverlay o = SimOverlay.ripe(30, 11, c -> c);
        o.startAll(10_000, new Random(1));
        o.net().runUntil(60_000);
        awaitConverged(o, 400_000);
        for (NodeId id : o.ids()) {
            NodeCore c = o.core(id);
            assertThat(c.neighbors()).hasSize(3).doesNotContain(id);
            assertThat(c.phase()).isEqualTo(NodeCore.Phase.RUNNING);
            // costs are the measured RTTs: exactly the matrix values once three probes agree
            for (Link l : c.announcedLinks())
                assertThat(l.cost()).isCloseTo(o.rtt(id, l.dst()), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(c.routes()).hasSize(29);
        }
        assertThat(o.net().tracker().nodeCount()).isEqualTo(30);
        assertThat(o.net().violations()).isZero();
    }

    @Test
    void dataTravelsAlongTheRoutesWithRoundTripTimeOfTheRouteCosts() {
        SimOverlay o = SimOverlay.ripe(30, 12, c -> c);
        o.startAll(10_000, new Random(2));
        o.net().runUntil(60_000);
        awaitConverged(o, 400_000);
        Random r = new Random(5);
        int checked = 0;
        for (int trial = 0; trial < 60; trial++) {
            NodeId a = o.ids().get(r.nextInt(30));
            NodeId b = o.ids().get(r.nextInt(30));
            if (a.equals(b)) continue;
            Map<NodeId, List<Link>> before = announced(o);
            RouteInfo forward = o.core(a).route(b).orElse(null);
            RouteInfo back = o.core(b).route(a).orElse(null);
            if (forward == null || back == null) {
                o.net().runFor(3000); // a node can briefly lose every in-link when all its in-neighbors re-wire at once
                continue;
            }
            VirtualNetwork.DataOutcome x = o.net().sendData(a, b, ("hello " + trial).getBytes());
            o.net().runFor(3000);
            if (!announced(o).equals(before)) continue; // the overlay changed meanwhile: not a clean sample
            checked++;
            assertThat(x.acked()).as(x.toString()).isTrue();
            assertThat(x.path()).isEqualTo(forward.path());
            // link costs are RTTs (as v0.2 measures them); a line takes half of one per hop
            double expected = (forward.cost() + back.cost()) / 2;
            assertThat((double) x.rttMillis())
                    .as(x.toString())
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1.0));
            assertThat(o.matrixCost(x.path())).isCloseTo(forward.cost(), org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThat(checked).isGreaterThanOrEqualTo(30);
        assertThat(o.net().deliveries()).isGreaterThanOrEqualTo(checked);
    }

    // ---------------------------------------------------------------------------------- failures

    @Test
    void afterACrashTrafficFlowsAgainWithinThreeSecondsAndTheTrackerRemovesTheNode() {
        SimOverlay o = SimOverlay.ripe(30, 13, c -> c);
        o.startAll(10_000, new Random(3));
        o.net().runUntil(60_000);
        awaitConverged(o, 400_000);
        NodeId victim = mostLinkedTo(o);
        Recovery.Result r = Recovery.measure(o, victim, false, 1000, 100, 6000, 300, new Random(4));
        System.out.println("crash recovery (process crash, 30 nodes, default periods): " + r);
        assertThat(r.affected()).isPositive();
        assertThat(r.recoveryMs()).isBetween(0L, 3000L);
        o.net().runFor(150_000);
        assertThat(o.net().tracker().snapshot().node(victim)).isEmpty();
        assertThat(o.wiringProblems()).isEmpty();
        assertThat(o.unreachablePairs()).isEmpty();
    }

    @Test
    void afterASilentCrashHeartbeatsRestoreTrafficWithinThreeSeconds() {
        SimOverlay o = SimOverlay.ripe(30, 14, c -> c);
        o.startAll(10_000, new Random(4));
        o.net().runUntil(60_000);
        awaitConverged(o, 400_000);
        NodeId victim = mostLinkedTo(o);
        Recovery.Result r = Recovery.measure(o, victim, true, 1000, 100, 6000, 300, new Random(5));
        System.out.println("crash recovery (silent crash, 30 nodes, default periods): " + r);
        assertThat(r.affected()).isPositive();
        assertThat(r.recoveryMs()).isBetween(1000L, 3000L); // at least the heartbeat detection time
    }

    /** Runs until every live node is wired and has a route to every other live node; returns that time. */
    private static long awaitConnected(SimOverlay o, long deadlineMs) {
        VirtualNetwork net = o.net();
        while (net.now() < deadlineMs) {
            if (o.wiringProblems().isEmpty() && o.unreachablePairs().isEmpty() && everyoneRoutesToEveryone(o))
                return net.now();
            net.runFor(1000);
        }
        throw new AssertionError("not connected by " + deadlineMs + " ms: wiring=" + o.wiringProblems()
                + " unreachable=" + o.unreachablePairs().size());
    }

    private static boolean everyoneRoutesToEveryone(SimOverlay o) {
        List<NodeId> live = o.net().liveNodes();
        for (NodeId a : live) {
            Set<NodeId> dst = new java.util.HashSet<>();
            for (RouteInfo r : o.core(a).routes()) dst.add(r.destination());
            for (NodeId b : live) if (!a.equals(b) && !dst.contains(b)) return false;
        }
        return true;
    }

    @Test
    void churnWithTwoHundredNodesKeepsInvariantsAndHealsWhenItStops() {
        SimOverlay o = SimOverlay.build(
                io.egoist.latency.LatencyMatrix.ripe().toArray(), 200, 21, c -> c, new VirtualNetwork.Options());
        VirtualNetwork net = o.net();
        long w0 = System.nanoTime();
        o.startAll(10_000, new Random(6));
        net.runUntil(30_000);
        long w1 = System.nanoTime();
        Random r = new Random(7);
        List<NodeId> down = new ArrayList<>();
        long churnEnd = net.now() + 60_000;
        int events = 0;
        while (net.now() < churnEnd) {
            net.runFor(2000);
            events++;
            if (!down.isEmpty() && (r.nextBoolean() || down.size() > 20)) {
                net.restart(down.remove(r.nextInt(down.size())));
            } else {
                List<NodeId> live = net.liveNodes();
                NodeId v = live.get(r.nextInt(live.size()));
                if (r.nextBoolean()) net.crash(v);
                else net.crashSilently(v);
                down.add(v);
            }
            for (NodeId id : net.liveNodes()) {
                List<NodeId> nb = net.core(id).neighbors();
                assertThat(nb).doesNotContain(id);
                assertThat(nb.size()).isLessThanOrEqualTo(3);
                assertThat(Set.copyOf(nb)).hasSameSizeAs(nb);
            }
        }
        long w2 = System.nanoTime();
        assertThat(events).isEqualTo(30);
        assertThat(down).isNotEmpty();
        long healed = awaitConnected(o, net.now() + 240_000);
        System.out.println("200-node churn: healed " + (healed - churnEnd) + " ms after churn stopped, " + down.size()
                + " nodes down; wall ms join/churn/heal " + (w1 - w0) / 1_000_000 + "/" + (w2 - w1) / 1_000_000 + "/"
                + (System.nanoTime() - w2) / 1_000_000);
        assertThat(net.liveNodes()).hasSize(200 - down.size());
        for (NodeId d : down) {
            for (NodeId id : net.liveNodes())
                assertThat(net.core(id).neighbors()).doesNotContain(d);
        }
        assertThat(net.violations()).isZero();
    }

    // --------------------------------------------------------------------------- compatibility

    @Test
    void legacyNodesNeverReceiveExtensionLinesAndDataRoutesAroundThem() {
        Set<NodeId> legacy = Set.of(SimOverlay.nodeId(3), SimOverlay.nodeId(8), SimOverlay.nodeId(15));
        SimOverlay o = SimOverlay.ripe(20, 15, c -> legacy.contains(c.self()) ? c.withFeatures(List.of()) : c);
        List<String> extensionLinesToLegacy = new ArrayList<>();
        long[] toLegacy = {0};
        o.net().addListener(new VirtualNetwork.Listener() {
            @Override
            public void lineDelivered(String from, String to, String line) {
                if (!legacy.contains(NodeId.parse(to))) return;
                toLegacy[0]++;
                if (line.startsWith("HB@")
                        || line.startsWith("DATA@")
                        || line.startsWith("DACK@")
                        || line.startsWith("HELLO@")) {
                    extensionLinesToLegacy.add(from + " -> " + to + ": " + line);
                }
            }
        });
        o.startAll(10_000, new Random(8));
        o.net().runUntil(60_000);
        awaitConverged(o, 400_000);
        for (NodeId a : o.ids()) {
            if (legacy.contains(a)) continue;
            for (NodeId b : o.ids()) {
                if (a.equals(b) || legacy.contains(b)) continue;
                o.net().sendData(a, b, new byte[] {1});
            }
        }
        o.net().runFor(120_000);
        assertThat(toLegacy[0]).isPositive(); // they are part of the overlay ...
        assertThat(extensionLinesToLegacy).isEmpty(); // ... but never see an extension
        for (NodeId l : legacy) {
            assertThat(o.core(l).announcedLinks()).isNotEmpty();
            assertThat(o.core(o.ids().get(0)).featuresOf(l)).isEmpty();
        }
        int acked = 0;
        for (NodeId a : o.ids()) {
            if (legacy.contains(a)) continue;
            for (NodeId b : o.ids()) {
                if (a.equals(b) || legacy.contains(b)) continue;
                VirtualNetwork.DataOutcome x = o.net().sendData(a, b, new byte[] {2});
                o.net().runFor(50);
                if (x.acked()) assertThat(x.path()).doesNotContainAnyElementsOf(legacy);
            }
        }
        o.net().runFor(6000);
        assertThat(extensionLinesToLegacy).isEmpty();
        assertThat(o.net().deliveries()).isPositive();
    }

    // ----------------------------------------------------------------------------- link state

    /** Connects to a node's main port once per scripted line, sends it, records what comes back. */
    static final class ScriptedPeer implements Core {
        final String host;
        final int port;
        final List<String> lines;
        /** Send HB@0 before each line: an egoist node (it may be told why it is rejected); else a v0.2 one. */
        final boolean heartbeatFirst;

        final Map<Integer, List<String>> received = new HashMap<>();
        final Set<Integer> closed = new TreeSet<>();
        int next;

        ScriptedPeer(NodeId target, List<String> lines, boolean heartbeatFirst) {
            this.host = target.ip();
            this.port = target.port();
            this.lines = lines;
            this.heartbeatFirst = heartbeatFirst;
        }

        @Override
        public List<Effect> start(long now) {
            return List.of(new Effect.SetTimer("next", now + 100));
        }

        @Override
        public List<Effect> handle(long now, Event e) {
            List<Effect> out = new ArrayList<>();
            if (e instanceof Event.TimerFired && next < lines.size()) {
                next++;
                out.add(new Effect.Connect(new ConnId(next), host, port));
                out.add(new Effect.SetTimer("next", now + 2000));
            } else if (e instanceof Event.Connected c) {
                if (heartbeatFirst) out.add(new Effect.Send(c.conn(), "HB@0"));
                out.add(new Effect.Send(c.conn(), lines.get((int) c.conn().value() - 1)));
            } else if (e instanceof Event.LineReceived l) {
                received.computeIfAbsent((int) l.conn().value(), k -> new ArrayList<>())
                        .add(l.line());
            } else if (e instanceof Event.Closed c) {
                closed.add((int) c.conn().value());
            }
            return out;
        }
    }

    @Test
    void malformedAndStaleUpdatesFromAPeerAreRejectedAndChangeNothing() {
        SimOverlay o = SimOverlay.ripe(10, 17, c -> c);
        o.startAll(5_000, new Random(10));
        o.net().runUntil(60_000);
        awaitConverged(o, 400_000);
        NodeId target = o.ids().get(0);
        NodeId other = o.ids().get(4);
        NodeCore t = o.core(target);
        int seq = t.lastSeq(other);
        String stale = "UPT@abcdef@" + ((seq + 4000) % 5000) + "@" + other + "@"
                + o.ids().get(5) + "@1.0|";
        List<String> script = List.of(
                "UPT@abc1@" + seq + "@" + other + "@" + o.ids().get(5) + "@1.0|@"
                        + o.ids().get(6) + "@" + o.ids().get(7) + "@1.0|",
                "UPT@abc2@" + ((seq + 1) % 5000) + "@" + other + "@" + o.ids().get(5) + "@-1|",
                "UPT@nothex@" + ((seq + 1) % 5000) + "@" + other + "@" + o.ids().get(5) + "@3.0|", // hash not hex
                "UPT@abc4@" + ((seq + 1) % 5000) + "@" + other + "@" + o.ids().get(5) + "@inf|",
                "garbage without structure",
                "X".repeat(20_000),
                stale);
        Map<NodeId, List<Link>> viewBefore = new HashMap<>();
        for (NodeId id : o.ids()) viewBefore.put(id, t.linksOf(id));
        Set<NodeId> knownBefore = Set.copyOf(t.knownNodes());
        long rejectedBefore = t.counters().rejected;
        ScriptedPeer peer = new ScriptedPeer(target, script, true);
        ScriptedPeer legacy = new ScriptedPeer(target, script, false);
        o.net().addCore("10.0.9.1", 7000, 0, peer);
        o.net().addCore("10.0.9.2", 7000, 0, legacy);
        o.net().runFor(script.size() * 2000L + 2000);
        for (int i = 1; i < script.size(); i++) {
            // an egoist connector (it heartbeats): HB echoed, then NACK and close
            assertThat(peer.received.get(i)).as(script.get(i - 1)).hasSize(2);
            assertThat(peer.received.get(i).get(0)).isEqualTo("HB@0");
            assertThat(peer.received.get(i).get(1)).startsWith("NACK@");
            assertThat(peer.closed).contains(i);
            // a connector not known to speak extensions (v0.2): closed without a NACK
            assertThat(legacy.received.get(i)).as(script.get(i - 1)).isNull();
            assertThat(legacy.closed).contains(i);
        }
        assertThat(peer.received.get(script.size()))
                .as("stale update is ignored, not NACKed")
                .containsExactly("HB@0");
        assertThat(legacy.received.get(script.size())).isNull();
        assertThat(legacy.closed).doesNotContain(script.size());
        assertThat(t.counters().rejected - rejectedBefore).isEqualTo(2 * (script.size() - 1));
        // state unchanged (the overlay itself is quiet only if nobody re-wired meanwhile; compare the source we forged)
        assertThat(t.linksOf(other)).isEqualTo(o.core(other).announcedLinks());
        assertThat(t.knownNodes()).isEqualTo(knownBefore);
        assertThat(t.lastSeq(other)).isEqualTo(o.core(other).ownSequence());
    }

    // ------------------------------------------------------------------------------- tracker

    @Test
    void afterATrackerRestartNodesRegisterAgainAndKeepRouting() {
        SimOverlay o = SimOverlay.ripe(15, 18, c -> c);
        VirtualNetwork net = o.net();
        o.startAll(5_000, new Random(11));
        net.runUntil(60_000);
        awaitConverged(o, 400_000);
        net.crashTracker();
        net.runFor(20_000);
        net.restartTracker(TrackerSnapshot.EMPTY);
        // routing goes on without the tracker
        VirtualNetwork.DataOutcome x = net.sendData(o.ids().get(1), o.ids().get(9), new byte[] {1});
        net.runFor(120_000);
        assertThat(x.acked()).isTrue();
        assertThat(net.tracker().nodeCount()).isEqualTo(15);
        long reRegistered = 0;
        for (NodeId id : o.ids()) reRegistered += o.core(id).counters().reRegistrations;
        assertThat(reRegistered).isEqualTo(15);
        for (NodeId id : o.ids()) {
            assertThat(net.tracker().snapshot().node(id).orElseThrow().links())
                    .isEqualTo(o.core(id).announcedLinks());
        }
    }
}
