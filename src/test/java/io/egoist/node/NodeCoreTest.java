package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.linkstate.SeqNumbers;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Segmenter;
import io.egoist.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** NodeCore alone: events in, effects out (no network, no harness). Node 1 is the core under test. */
class NodeCoreTest {

    private static final NodeId SELF = id(1);

    /** Node 1 with k = 2, k-closest, nodes 2..5 at RTT 50, 10, 20, 80 ms, all speaking hb + data. */
    private static Driver wired() {
        return wired(Driver.config(1).withK(2).withPolicy("k-closest"));
    }

    private static Driver wired(NodeConfig cfg) {
        Driver d = new Driver(cfg);
        double[] rtt = {50, 10, 20, 80};
        for (int i = 0; i < 4; i++) {
            d.rtts.put(id(i + 2), rtt[i]);
            d.features.put(id(i + 2), List.of("hb", "data"));
        }
        d.join(List.of(id(2), id(3), id(4), id(5)), List.of());
        d.advance(600);
        return d;
    }

    private static Message decodePeer(String line) {
        Decoded d = WireCodec.decode(WireCodec.Context.PEER_LINK, line);
        assertThat(d).isInstanceOf(Decoded.Ok.class);
        return ((Decoded.Ok) d).message();
    }

    private static Set<NodeId> dsts(List<Link> links) {
        Set<NodeId> s = new HashSet<>();
        for (Link l : links) s.add(l.dst());
        return s;
    }

    private static ConnId conn(Driver d, NodeId n) {
        return d.connectTo(n).conn();
    }

    /** Connects every tracker connection opened from effect index {@code from} on; returns the lines sent. */
    private static List<String> trackerLinesSince(Driver d, int from) {
        List<ConnId> conns = new ArrayList<>();
        for (Effect e : new ArrayList<>(d.all.subList(from, d.all.size()))) {
            if (e instanceof Effect.Connect c && d.isTrackerConn(c.conn())) conns.add(c.conn());
        }
        List<String> lines = new ArrayList<>();
        for (ConnId c : conns) lines.addAll(Driver.lines(d.on(new Event.Connected(c))));
        return lines;
    }

    /** Sequence numbers of our own updates sent on {@code conn}, in order. */
    private static List<Integer> ownSeqsOn(Driver d, ConnId conn) {
        List<Integer> seqs = new ArrayList<>();
        for (Effect e : d.all) {
            if (e instanceof Effect.Send s && s.conn().equals(conn) && s.line().startsWith("UPT@")) {
                Message.PeerUpdate u = (Message.PeerUpdate) decodePeer(s.line());
                if (u.source().equals(SELF)) seqs.add(u.seq());
            }
        }
        return seqs;
    }

    /**
     * Node 1, k = 2, k-closest, v0.2 neighbors 2 and 3 (no heartbeats, no probes after the first), announcing at
     * every wiring step (the refresh is always due): the highest regular announcement rate.
     */
    private static Driver announcingEveryStep(long startMillis) {
        Driver d = new Driver(Driver.config(1)
                .withK(2)
                .withPolicy("k-closest")
                .withFeatures(List.of())
                .withPingPeriodMs(1_000_000_000L)
                .withAnnounceRefreshMs(1));
        d.now = startMillis;
        d.rtts.put(id(2), 10.0);
        d.rtts.put(id(3), 20.0);
        d.join(List.of(id(2), id(3)), List.of());
        d.advance(600);
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(2), id(3));
        return d;
    }

    // ------------------------------------------------------------------------------------ join

    @Test
    void startOpensTrackerConnectionAndSendsRegister() {
        Driver d = new Driver(Driver.config(1));
        List<Effect> e = d.start();
        Effect.Connect c = Driver.ofType(e, Effect.Connect.class).get(0);
        assertThat(c.host()).isEqualTo("10.9.9.9");
        assertThat(c.port()).isEqualTo(61223);
        assertThat(c.conn().value()).isPositive();
        assertThat(Driver.lines(d.on(new Event.Connected(c.conn())))).containsExactly("REG@10.0.0.1:7000");
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.JOINING);
    }

    @Test
    void trackerDownRetriesWithDoublingBackoffCappedAt30s() {
        Driver d = new Driver(Driver.config(1));
        d.start();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            d.on(new Event.ConnectFailed(d.lastTrackerConn(), "refused"));
            long at = d.timers.get("register");
            delays.add(at - d.now);
            ConnId before = d.lastTrackerConn();
            d.advanceTo(at);
            assertThat(d.lastTrackerConn()).isNotEqualTo(before);
        }
        assertThat(delays).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L);
    }

    @Test
    void segmentedReplyIsReassembledWithItsLinks() {
        Driver d = new Driver(Driver.config(1));
        d.start();
        ConnId t = d.lastTrackerConn();
        d.on(new Event.Connected(t));
        List<NodeId> nodes = new ArrayList<>();
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < 700; i++) nodes.add(new NodeId("10.1." + (i / 200) + "." + (i % 200 + 1), 7000));
        for (int i = 0; i + 1 < 700; i++) links.add(new Link(nodes.get(i), nodes.get(i + 1), 12.5));
        nodes.add(SELF);
        List<String> lines = Segmenter.replyLines(new Message.RegisterReply(nodes, links));
        assertThat(lines.size()).isGreaterThan(2);
        for (String line : lines) d.on(new Event.LineReceived(t, line));
        assertThat(d.core.knownNodes()).hasSize(700);
        assertThat(d.core.linksOf(nodes.get(10))).containsExactly(links.get(10));
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.MEASURING);
    }

    @Test
    void emptyReplyWhileJoiningMeansDuplicateRegistrationAndIsRetriedLater() {
        Driver d = new Driver(Driver.config(1));
        d.start();
        ConnId t = d.lastTrackerConn();
        d.on(new Event.Connected(t));
        List<Effect> e = d.on(new Event.LineReceived(t, ""));
        assertThat(e).contains(new Effect.Close(t));
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.JOINING);
        assertThat(d.timers).containsKey("register");
        d.advanceTo(d.timers.get("register"));
        assertThat(d.lastTrackerConn()).isNotEqualTo(t);
    }

    @Test
    void emptyReplyWhileJoiningReportsOurStaleRegistrationSoAV02TrackerDropsIt() {
        Driver d = new Driver(Driver.config(1));
        d.start();
        List<String> sent = new ArrayList<>();
        List<Long> retries = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            int mark = d.all.size();
            ConnId t = d.lastTrackerConn();
            assertThat(Driver.lines(d.on(new Event.Connected(t)))).containsExactly("REG@10.0.0.1:7000");
            d.on(new Event.LineReceived(t, ""));
            sent.addAll(trackerLinesSince(d, mark));
            retries.add(d.timers.get("register") - d.now);
            d.advanceTo(d.timers.get("register"));
        }
        // after every empty reply: RMV of ourselves (the v0.2 sweep then forgets the old registration) ...
        assertThat(sent).containsExactly("RMV@10.0.0.1:7000", "RMV@10.0.0.1:7000", "RMV@10.0.0.1:7000");
        // ... and REG again with back-off
        assertThat(retries).containsExactly(1000L, 2000L, 4000L);
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.JOINING);
        // the v0.2 tracker swept us: the next REG gets a full reply and we join
        ConnId t = d.lastTrackerConn();
        d.on(new Event.Connected(t));
        d.on(new Event.LineReceived(t, WireCodec.encode(new Message.RegisterReply(List.of(id(2), SELF), List.of()))));
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.MEASURING);
    }

    @Test
    void emptyRefreshReplyKeepsTheView() {
        Driver d = wired();
        Set<NodeId> known = Set.copyOf(d.core.knownNodes());
        List<NodeId> nbrs = d.core.neighbors();
        d.advanceTo(d.timers.get("register"));
        ConnId t = d.lastTrackerConn();
        d.on(new Event.Connected(t));
        int mark = d.all.size();
        d.on(new Event.LineReceived(t, ""));
        assertThat(trackerLinesSince(d, mark)).isEmpty(); // registered already: never RMV ourselves
        assertThat(d.core.knownNodes()).isEqualTo(known);
        assertThat(d.core.neighbors()).isEqualTo(nbrs);
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.RUNNING);
    }

    @Test
    void refreshReplyWithoutOurLinksMeansTheTrackerForgotUsSoWeReannounce() {
        Driver d = wired();
        d.advanceTo(d.timers.get("register"));
        ConnId t = d.lastTrackerConn();
        d.on(new Event.Connected(t));
        d.on(new Event.LineReceived(t, WireCodec.encode(new Message.RegisterReply(List.of(SELF), List.of()))));
        assertThat(d.core.counters().reRegistrations).isEqualTo(1);
        ConnId u = d.lastTrackerConn();
        assertThat(u).isNotEqualTo(t);
        List<String> sent = Driver.lines(d.on(new Event.Connected(u)));
        Message m = ((Decoded.Ok) WireCodec.decode(WireCodec.Context.TRACKER_INBOUND, sent.get(0))).message();
        assertThat(((Message.TrackerUpdate) m).links()).isEqualTo(d.core.announcedLinks());
        assertThat(dsts(d.core.announcedLinks())).containsExactlyInAnyOrder(id(3), id(4));
    }

    @Test
    void trackerNackOnOurUpdateTriggersRegistration() {
        Driver d = wired();
        // the tracker UPT of the first wiring
        ConnId u = d.lastTrackerConn();
        assertThat(Driver.lines(d.on(new Event.Connected(u))).get(0)).startsWith("UPT@10.0.0.1:7000@");
        d.on(new Event.LineReceived(u, "NACK@src: not registered: 10.0.0.1:7000"));
        ConnId r = d.lastTrackerConn();
        assertThat(r).isNotEqualTo(u);
        assertThat(Driver.lines(d.on(new Event.Connected(r)))).containsExactly("REG@10.0.0.1:7000");
    }

    // ------------------------------------------------------------------------ measurement, wiring

    @Test
    void firstWiringUsesMeasuredCostsNotBootDelay() {
        Driver d = wired();
        assertThat(d.core.phase()).isEqualTo(NodeCore.Phase.RUNNING);
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(3), id(4));
        List<String> onLink = d.linesOn(conn(d, id(3)));
        Message.PeerUpdate u = (Message.PeerUpdate) decodePeer(onLink.get(onLink.size() - 1));
        assertThat(u.source()).isEqualTo(SELF);
        assertThat(u.links()).containsExactlyInAnyOrder(new Link(SELF, id(3), 10), new Link(SELF, id(4), 20));
    }

    @Test
    void firstProbeComesHalfASecondAfterLearningANode() {
        Driver d = new Driver(Driver.config(1));
        d.join(List.of(id(2)), List.of());
        assertThat(d.timers.get("probe:10.0.0.2:7000")).isEqualTo(d.now + 500);
    }

    @Test
    void costIsTheMeanOfTheLastThreeRtts() {
        Driver d = wired();
        d.rtts.put(id(3), 40.0);
        d.advanceTo(d.timers.get("probe:10.0.0.3:7000"));
        assertThat(d.core.measuredCost(id(3))).isEqualTo((10 + 10 + 40) / 3.0);
        d.advanceTo(d.timers.get("probe:10.0.0.3:7000"));
        d.advanceTo(d.timers.get("probe:10.0.0.3:7000"));
        assertThat(d.core.measuredCost(id(3))).isEqualTo(40.0);
    }

    @Test
    void nodeNotAnsweringProbesIsNeverChosen() {
        Driver d = new Driver(Driver.config(1).withK(3).withPolicy("br"));
        d.rtts.put(id(2), 30.0);
        d.rtts.put(id(3), -1.0);
        d.rtts.put(id(4), 40.0);
        for (int i = 2; i <= 4; i++) d.features.put(id(i), List.of("hb", "data"));
        d.join(List.of(id(2), id(3), id(4)), List.of());
        d.advance(600);
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(2), id(4));
        assertThat(d.core.liveNodes()).doesNotContain(id(3));
    }

    @Test
    void nodeIsForgottenAfterRepeatedProbeFailures() {
        Driver d = wired();
        d.rtts.put(id(5), -1.0);
        for (int i = 0; i < 3; i++) d.advanceTo(d.timers.get("probe:10.0.0.5:7000"));
        assertThat(d.core.knownNodes()).doesNotContain(id(5));
        assertThat(d.timers).doesNotContainKey("probe:10.0.0.5:7000");
    }

    // --------------------------------------------------------------------------------- link state

    @Test
    void acceptedUpdateIsForwardedUnchangedToOutNeighborsAndDuplicatesAreDropped() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.5", 40001));
        String line = Driver.update("aa01", 10, id(5), 7.5, id(2));
        List<Effect> e = d.on(new Event.LineReceived(in, line));
        assertThat(e).contains(new Effect.Send(conn(d, id(3)), line), new Effect.Send(conn(d, id(4)), line));
        assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 7.5));
        assertThat(d.core.lastSeq(id(5))).isEqualTo(10);
        assertThat(d.on(new Event.LineReceived(in, line))).isEmpty();
    }

    @Test
    void updateIsNotForwardedBackToItsSource() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.3", 40001));
        String line = Driver.update("aa02", 10, id(3), 7.5, id(2));
        List<Effect> e = d.on(new Event.LineReceived(in, line));
        assertThat(e).contains(new Effect.Send(conn(d, id(4)), line));
        assertThat(e).doesNotContain(new Effect.Send(conn(d, id(3)), line));
    }

    @Test
    void staleUpdateIsIgnoredAndStateUnchanged() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.5", 40001));
        d.on(new Event.LineReceived(in, Driver.update("bb01", 10, id(5), 7.5, id(2))));
        List<Effect> e = d.on(new Event.LineReceived(in, Driver.update("bb02", 9, id(5), 1, id(3))));
        // the source itself (an egoist node) sent it: it is told the newer copy we hold (a restarted node jumps
        // past it); nothing is flooded, nothing changes
        assertThat(e).containsExactly(new Effect.Send(in, Driver.update("bb01", 10, id(5), 7.5, id(2))));
        assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 7.5));
        assertThat(d.core.counters().updatesStale).isEqualTo(1);
        assertThat(d.core.counters().staleAnswered).isEqualTo(1);
        // from anyone else (a relay): not answered
        ConnId relay = new ConnId(-2);
        d.on(new Event.Accepted(relay, "10.0.0.7", 40002));
        assertThat(d.on(new Event.LineReceived(relay, Driver.update("bb03", 8, id(5), 1, id(3)))))
                .isEmpty();
        assertThat(d.core.counters().staleAnswered).isEqualTo(1);
    }

    @Test
    void sequenceNumbersWrapAroundModuloPktIdsLimit() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.5", 40001));
        int[] seqs = {4997, 4998, 4999, 0, 1, 2};
        for (int i = 0; i < seqs.length; i++) {
            d.on(new Event.LineReceived(in, Driver.update("cc0" + i, seqs[i], id(5), i + 1, id(2))));
            assertThat(d.core.lastSeq(id(5))).isEqualTo(seqs[i]);
        }
        assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 6));
        // an old one from before the wrap is stale
        d.on(new Event.LineReceived(in, Driver.update("cc99", 4999, id(5), 99, id(2))));
        assertThat(d.core.lastSeq(id(5))).isEqualTo(2);
        assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 6));
    }

    @Test
    void ourNumbersStartAt0AndAStrictV02ReceiverTakesExactlyTheFirst5000ThenNoneAfterTheWrap() {
        Driver d = announcingEveryStep(123_456_789_000L); // the start time no longer matters
        for (int i = 0; i < 5_010; i++) d.advanceTo(d.timers.get("rewire"));
        List<Integer> seqs = ownSeqsOn(d, conn(d, id(2)));
        assertThat(seqs).hasSizeGreaterThan(5_005);
        assertThat(seqs.get(0)).isZero(); // as v0.2's first
        // a v0.2 receiver: accepts seq > last, never forgets last (the defect documented in docs/COMPATIBILITY.md)
        int last = -1, accepted = 0;
        List<Integer> dropped = new ArrayList<>();
        for (int s : seqs)
            if (s > last) {
                last = s;
                accepted++;
            } else dropped.add(s);
        assertThat(accepted).isEqualTo(5_000);
        assertThat(seqs.subList(0, 5_000))
                .isEqualTo(java.util.stream.IntStream.range(0, 5_000).boxed().toList());
        assertThat(dropped).isEqualTo(seqs.subList(5_000, seqs.size())).startsWith(0, 1, 2);
        // ours (serial arithmetic) take every one, across the wrap
        for (int i = 1; i < seqs.size(); i++)
            assertThat(SeqNumbers.newer(seqs.get(i), seqs.get(i - 1))).isTrue();
    }

    @Test
    void serialNumberComparison() {
        assertThat(SeqNumbers.newer(1, 0)).isTrue();
        assertThat(SeqNumbers.newer(0, 4999)).isTrue();
        assertThat(SeqNumbers.newer(4999, 0)).isFalse();
        assertThat(SeqNumbers.newer(7, 7)).isFalse();
        assertThat(SeqNumbers.newer(2499, 0)).isTrue();
        assertThat(SeqNumbers.newer(2500, 0)).isFalse();
        assertThat(SeqNumbers.newer(0, 2500)).isFalse();
        assertThat(SeqNumbers.newer(100, 2601)).isTrue();
    }

    @Test
    void unparsableUpdatesGetNackAndCloseAndChangeNothing() {
        Driver d = wired();
        ConnId ok = new ConnId(-1);
        d.on(new Event.Accepted(ok, "10.0.0.5", 40001));
        d.on(new Event.LineReceived(ok, Driver.update("dd01", 10, id(5), 7.5, id(2))));
        Set<NodeId> known = Set.copyOf(d.core.knownNodes());
        String[] bad = {
            "UPT@dd02@11@10.0.0.5:7000@10.0.0.2:7000@3|@10.0.0.6:7000@10.0.0.2:7000@3|", // link not from the source
            "UPT@dd03@11@10.0.0.5:7000@10.0.0.2:7000@-3|", // negative cost
            "UPT@dd04@11@10.0.0.5:7000@10.0.0.2:7000@nan|", // not a number
            "UPT@zz@11@10.0.0.5:7000@10.0.0.2:7000@3|", // hash not hex
            "hello there",
        };
        for (int i = 0; i < bad.length; i++) {
            ConnId c = new ConnId(-10 - i);
            d.on(new Event.Accepted(c, "10.0.0.8", 40100 + i));
            // an egoist connector: it heartbeats (only egoist nodes send HB), so it may be told why
            assertThat(d.on(new Event.LineReceived(c, "HB@" + i))).containsExactly(new Effect.Send(c, "HB@" + i));
            List<Effect> e = d.on(new Event.LineReceived(c, bad[i]));
            assertThat(e).as(bad[i]).hasSize(2);
            assertThat(((Effect.Send) e.get(0)).line()).as(bad[i]).startsWith("NACK@");
            assertThat(((Effect.Send) e.get(0)).conn()).isEqualTo(c);
            assertThat(e.get(1)).isEqualTo(new Effect.Close(c));
            assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 7.5));
            assertThat(d.core.lastSeq(id(5))).isEqualTo(10);
            assertThat(d.core.knownNodes()).isEqualTo(known);
        }
        assertThat(d.core.counters().rejected).isEqualTo(bad.length);
    }

    @Test
    void unusableUpdatesAreDroppedWithACounterAndTheConnectionStaysUp() {
        Driver d = wired();
        ConnId ok = new ConnId(-1);
        d.on(new Event.Accepted(ok, "10.0.0.5", 40001));
        d.on(new Event.LineReceived(ok, Driver.update("dd01", 10, id(5), 7.5, id(2))));
        Set<NodeId> known = Set.copyOf(d.core.knownNodes());
        String[] bad = {
            "UPT@dd06@11@10.0.0.5:7000@10.0.0.2:7000@3|@10.0.0.5:7000@10.0.0.2:7000@4|", // duplicate link
        };
        ConnId egoist = new ConnId(-10), v02 = new ConnId(-11);
        d.on(new Event.Accepted(egoist, "10.0.0.8", 40100));
        d.on(new Event.Accepted(v02, "10.0.0.9", 40101));
        d.on(new Event.LineReceived(egoist, "HB@1"));
        for (String line : bad) {
            List<Effect> e = d.on(new Event.LineReceived(egoist, line));
            assertThat(e)
                    .as(line)
                    .singleElement()
                    .satisfies(x -> assertThat(((Effect.Send) x).line()).startsWith("NACK@"));
            assertThat(d.on(new Event.LineReceived(v02, line))).as(line).isEmpty(); // no NACK to v0.2, no close
            assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 7.5));
            assertThat(d.core.lastSeq(id(5))).isEqualTo(10);
            assertThat(d.core.knownNodes()).isEqualTo(known);
        }
        assertThat(d.core.counters().updatesDropped).isEqualTo(2L * bad.length);
        assertThat(d.core.counters().rejected).isZero();
        // both connections still serve: a good update on each is taken and flooded
        List<Effect> e = d.on(new Event.LineReceived(v02, Driver.update("dd07", 12, id(5), 7, id(2))));
        assertThat(Driver.lines(e)).isNotEmpty();
        assertThat(d.core.lastSeq(id(5))).isEqualTo(12);
    }

    @Test
    void aSelfLinkInAnUpdateIsIgnoredAndTheRestIsUsedAndFloodedAsReceived() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.5", 40001));
        String line = "UPT@ee01@0@10.0.0.5:7000@10.0.0.5:7000@500|@10.0.0.5:7000@10.0.0.2:7000@4|";
        List<Effect> e = d.on(new Event.LineReceived(in, line));
        assertThat(e).doesNotContain(new Effect.Close(in));
        assertThat(Driver.lines(e)).contains(line).noneMatch(l -> l.startsWith("NACK@"));
        assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 4));
        assertThat(d.core.lastSeq(id(5))).isZero();
        assertThat(d.core.counters().selfLinksIgnored).isEqualTo(1);
        assertThat(d.core.counters().rejected).isZero();
    }

    @Test
    void malformedLinesFromAConnectorNotKnownToSpeakExtensionsAreClosedWithoutNack() {
        Driver d = wired();
        ConnId ok = new ConnId(-1);
        d.on(new Event.Accepted(ok, "10.0.0.5", 40001));
        d.on(new Event.LineReceived(ok, Driver.update("de01", 10, id(5), 7.5, id(2))));
        Set<NodeId> known = Set.copyOf(d.core.knownNodes());
        String[] bad = {
            "UPT@de02@11@10.0.0.5:7000@10.0.0.2:7000@-3|", "UPT@de03@11@10.0.0.5:7000@10.0.0.2:7000@x|", "hello there",
        };
        for (int i = 0; i < bad.length; i++) {
            ConnId c = new ConnId(-10 - i);
            d.on(new Event.Accepted(c, "10.0.0.8", 40100 + i));
            // a v0.2 connector sends peer updates and nothing else: it is never sent an extension (NACK)
            d.on(new Event.LineReceived(c, Driver.update("de1" + i, 5, id(8), 4, id(2))));
            List<Effect> e = d.on(new Event.LineReceived(c, bad[i]));
            assertThat(e).as(bad[i]).containsExactly(new Effect.Close(c));
            assertThat(d.core.linksOf(id(5))).containsExactly(new Link(id(5), id(2), 7.5));
            assertThat(d.core.lastSeq(id(5))).isEqualTo(10);
        }
        ConnId c = new ConnId(-20);
        d.on(new Event.Accepted(c, "10.0.0.8", 40200));
        assertThat(d.on(new Event.LineTooLong(c))).containsExactly(new Effect.Close(c));
        assertThat(d.core.counters().rejected).isEqualTo(bad.length + 1);
        assertThat(d.core.knownNodes()).containsAll(known);
        for (Effect e : d.all) {
            if (e instanceof Effect.Send s) assertThat(s.line()).doesNotStartWith("NACK@");
        }
    }

    @Test
    void overLongLineGetsNackAndClose() {
        Driver d = wired();
        ConnId c = new ConnId(-3);
        d.on(new Event.Accepted(c, "10.0.0.8", 40100));
        d.on(new Event.LineReceived(c, "HB@3"));
        List<Effect> e = d.on(new Event.LineTooLong(c));
        assertThat(((Effect.Send) e.get(0)).line()).startsWith("NACK@");
        assertThat(e.get(1)).isEqualTo(new Effect.Close(c));
    }

    @Test
    void unreachableCostsOfV02AreAcceptedAsLinksThatAreDown() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        // 3 -> 5 is "unreachable" as a v0.2 node prints it (HUGE_DELAY; Python's str; mean with one HUGE sample)
        String[] huge = {"9223372036854774807", "9.22337203685e+18", "3.07445734662e+18"};
        for (int i = 0; i < huge.length; i++) {
            String line = "UPT@aa0" + i + "@" + (20 + i) + "@10.0.0.3:7000@10.0.0.5:7000@" + huge[i]
                    + "|@10.0.0.3:7000@10.0.0.2:7000@2|";
            List<Effect> e = d.on(new Event.LineReceived(in, line));
            assertThat(Driver.lines(e))
                    .as(huge[i])
                    .noneMatch(l -> l.startsWith("NACK@"))
                    .contains(line); // forwarded
            assertThat(e).doesNotContain(new Effect.Close(in));
            assertThat(d.core.lastSeq(id(3))).isEqualTo(20 + i);
            assertThat(dsts(d.core.linksOf(id(3)))).containsExactlyInAnyOrder(id(2), id(5));
            // the only way to 5 is that link: no route
            assertThat(d.core.route(id(5))).as(huge[i]).isEmpty();
            assertThat(d.core.route(id(2)).orElseThrow().path()).containsExactly(SELF, id(3), id(2));
        }
        assertThat(d.core.counters().rejected).isZero();
        // a real link to 5 via 4 is used, the down one via 3 (cheaper on paper) never
        d.on(new Event.LineReceived(in, Driver.update("aa09", 30, id(4), 100, id(5))));
        assertThat(d.core.route(id(5)).orElseThrow().path()).containsExactly(SELF, id(4), id(5));
        assertThat(d.core.status().unreachable()).isZero();
    }

    @Test
    void newNeighborIsCaughtUpWithTheLatestUpdates() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.5", 40001));
        String line = Driver.update("ee01", 10, id(5), 7.5, id(2));
        d.on(new Event.LineReceived(in, line));
        // lose 3; the replacement (2, next closest) gets 5's update on connect
        d.on(new Event.Closed(conn(d, id(3))));
        d.settle(); // the connect to 2 succeeds
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(4), id(2));
        assertThat(d.linesOn(conn(d, id(2)))).contains(line);
    }

    // --------------------------------------------------------------------------------- failures

    @Test
    void lostNeighborIsReportedAndReplacedAtOnce() {
        Driver d = wired();
        ConnId to4 = conn(d, id(4));
        List<Effect> e = d.on(new Event.Closed(conn(d, id(3))));
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(4), id(2));
        assertThat(Driver.ofType(e, Effect.Connect.class))
                .extracting(Effect.Connect::host)
                .contains("10.0.0.2")
                .doesNotContain("10.9.9.9"); // no RMV before the confirming probe
        // the loss is announced at once on the surviving link (only links that are up are announced) ...
        String first = Driver.lines(e).stream()
                .filter(l -> l.startsWith("UPT@"))
                .findFirst()
                .orElseThrow();
        assertThat(e).contains(new Effect.Send(to4, first));
        assertThat(dsts(((Message.PeerUpdate) decodePeer(first)).links())).containsExactly(id(4));
        // ... and the replacement once its link is up
        List<Effect> up = d.on(new Event.Connected(conn(d, id(2))));
        String second = Driver.lines(up).stream()
                .filter(l -> l.startsWith("UPT@") && l.contains(SELF + "@"))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(dsts(((Message.PeerUpdate) decodePeer(second)).links())).containsExactlyInAnyOrder(id(4), id(2));
        assertThat(up).contains(new Effect.Send(to4, second));
        // a probe checks 3 at once; RMV@3 goes to the tracker only when that probe fails too
        assertThat(e).contains(new Effect.Probe(id(3), d.core.config().pingTimeoutMs()));
        List<Effect> failed = d.on(new Event.ProbeResult(id(3), -1));
        List<String> tracker = new ArrayList<>();
        for (Effect.Connect c : Driver.ofType(failed, Effect.Connect.class)) {
            if (c.host().equals("10.9.9.9")) tracker.addAll(Driver.lines(d.on(new Event.Connected(c.conn()))));
        }
        assertThat(tracker).contains("RMV@10.0.0.3:7000");
        assertThat(d.core.counters().neighborsLost).isEqualTo(1);
    }

    @Test
    void periodicRewiringKeepsOldLinksUntilTheNewOnesAreUp() {
        Driver d = wired();
        ConnId to3 = conn(d, id(3));
        // 2 becomes the closest: the next wiring step replaces 4 (20 ms) with 2 (5 ms)
        d.rtts.put(id(2), 5.0);
        d.autoConnectNeighbors = false;
        for (int i = 0; i < 3; i++) d.advanceTo(d.timers.get("probe:10.0.0.2:7000"));
        List<Effect> before = new ArrayList<>(d.all);
        d.advanceTo(d.timers.get("rewire"));
        List<Effect> step = d.all.subList(before.size(), d.all.size());
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(3), id(2));
        ConnId to4 = conn(d, id(4));
        assertThat(step).doesNotContain(new Effect.Close(to4));
        assertThat(dsts(d.core.announcedLinks())).containsExactlyInAnyOrder(id(3), id(4));
        assertThat(d.core.route(id(4)).orElseThrow().path()).containsExactly(SELF, id(4));
        List<Effect> up = d.on(new Event.Connected(conn(d, id(2))));
        assertThat(up).contains(new Effect.Send(to4, "TRD@"), new Effect.Close(to4));
        assertThat(dsts(d.core.announcedLinks())).containsExactlyInAnyOrder(id(3), id(2));
        assertThat(Driver.lines(up)).anyMatch(l -> l.startsWith("UPT@"));
        assertThat(up.stream()
                        .filter(x -> x instanceof Effect.Send s
                                && s.conn().equals(to3)
                                && s.line().startsWith("UPT@"))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void missedHeartbeatsDropTheNeighbor() {
        Driver d = wired();
        d.hbSilent.add(id(3)); // 4 echoes, 3 does not
        ConnId to3 = conn(d, id(3));
        d.advance(1000);
        assertThat(d.linesOn(to3)).anyMatch(l -> l.startsWith("HB@"));
        assertThat(d.core.neighbors()).contains(id(3), id(4));
        d.advance(1100);
        assertThat(d.core.neighbors()).doesNotContain(id(3)).contains(id(4)).hasSize(2);
        assertThat(d.core.counters().neighborsLost).isEqualTo(1);
    }

    @Test
    void heartbeatLossReplacesAtOnceButReportsRemoveOnlyIfTheProbeFailsToo() {
        for (boolean probeAnswers : new boolean[] {true, false}) {
            Driver d = wired();
            d.hbSilent.add(id(3));
            d.rtts.remove(id(3)); // probes of 3 are answered by hand below
            int mark = d.all.size();
            d.advance(2100);
            // replaced at once ...
            assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(4), id(2));
            assertThat(Driver.ofType(d.all.subList(mark, d.all.size()), Effect.Probe.class))
                    .extracting(Effect.Probe::target)
                    .contains(id(3));
            // ... but no RMV yet: a stalled node is alive, and one RMV removes a live node from a v0.2 tracker
            List<String> tracker = trackerLinesSince(d, mark);
            assertThat(tracker).noneMatch(l -> l.startsWith("RMV@"));
            int mark2 = d.all.size();
            d.on(new Event.ProbeResult(id(3), probeAnswers ? 12.0 : -1.0));
            List<String> after = trackerLinesSince(d, mark2);
            if (probeAnswers) assertThat(after).as("probe answered").noneMatch(l -> l.startsWith("RMV@"));
            else assertThat(after).as("probe failed").containsExactly("RMV@10.0.0.3:7000");
            // a later probe result changes nothing more
            int mark3 = d.all.size();
            d.on(new Event.ProbeResult(id(3), -1.0));
            assertThat(trackerLinesSince(d, mark3)).noneMatch(l -> l.startsWith("RMV@"));
        }
    }

    /**
     * A closed link is not a dead node (the peer may have closed it over one bad message, or the error was ours):
     * it is reported to the tracker only when the probe sent at once fails too.
     */
    @Test
    void aClosedLinkIsReportedOnlyWhenTheConfirmingProbeFailsToo() {
        Driver d = wired();
        int mark = d.all.size();
        d.on(new Event.Closed(conn(d, id(3))));
        d.settle(); // 3 answers its probe (RTT 10 ms)
        assertThat(trackerLinesSince(d, mark)).noneMatch(l -> l.startsWith("RMV@"));
        assertThat(d.core.liveNodes()).contains(id(3));
        assertThat(d.core.neighbors()).hasSize(2);

        int mark2 = d.all.size();
        d.rtts.put(id(4), -1.0); // 4 is really gone: its probe times out
        d.on(new Event.Closed(conn(d, id(4))));
        d.settle();
        assertThat(trackerLinesSince(d, mark2)).contains("RMV@10.0.0.4:7000");
    }

    @Test
    void heartbeatFromAPeerIsEchoedOnTheSameConnection() {
        Driver d = wired();
        ConnId in = new ConnId(-4);
        d.on(new Event.Accepted(in, "10.0.0.2", 40001));
        assertThat(d.on(new Event.LineReceived(in, "HB@17"))).containsExactly(new Effect.Send(in, "HB@17"));
    }

    // ------------------------------------------------------------------------------- extensions

    @Test
    void legacyPeerNeverReceivesExtensionLinesAndDataAvoidsIt() {
        Driver d = new Driver(Driver.config(1).withK(2).withPolicy("k-closest"));
        d.rtts.put(id(3), 10.0);
        d.rtts.put(id(4), 20.0);
        d.rtts.put(id(5), 90.0);
        d.features.put(id(4), List.of("hb", "data"));
        d.features.put(id(5), List.of("hb", "data"));
        // 3 has no entry: its echo port returns our HELLO unchanged, like v0.2.
        // 3 -> 5 is cheap, 4 -> 5 expensive: the overlay's shortest path goes via 3, data must go via 4 (and 5 is
        // reachable over data-capable links through 4, so the wiring keeps the cheap v0.2 neighbor)
        d.join(List.of(id(3), id(4), id(5)), List.of(new Link(id(3), id(5), 1), new Link(id(4), id(5), 100)));
        d.advance(600);
        assertThat(d.core.featuresOf(id(3))).isEmpty();
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(3), id(4));
        // the route shown is the one DATA takes
        assertThat(d.core.route(id(5)).orElseThrow().path()).containsExactly(SELF, id(4), id(5));
        d.on(new NodeEvent.SendData("q1", id(5), "x".getBytes(StandardCharsets.UTF_8)));
        d.on(new NodeEvent.SendData("q2", id(3), "x".getBytes(StandardCharsets.UTF_8)));
        d.advance(3000);
        assertThat(d.linesOn(conn(d, id(4))))
                .anyMatch(l -> l.startsWith("DATA@"))
                .anyMatch(l -> l.startsWith("HB@"));
        for (String l : d.linesOn(conn(d, id(3)))) {
            assertThat(l)
                    .doesNotStartWith("HB@")
                    .doesNotStartWith("DATA@")
                    .doesNotStartWith("DACK@")
                    .doesNotStartWith("HELLO@");
        }
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class))
                .extracting(NodeEffect.DataFailed::requestId)
                .contains("q2");
    }

    @Test
    void v02ConfigurationSendsNoHelloAndRefusesData() {
        Driver d = new Driver(Driver.config(1).withFeatures(List.of()));
        d.rtts.put(id(2), 10.0);
        d.join(List.of(id(2)), List.of());
        d.advance(5000);
        assertThat(d.core.helloLine()).isEmpty();
        assertThat(Driver.ofType(d.all, Effect.Connect.class)).noneMatch(c -> c.port() == 7001);
        for (Effect e : d.all) {
            if (e instanceof Effect.Send s)
                assertThat(s.line()).doesNotStartWith("HB@").doesNotStartWith("HELLO@");
        }
        List<Effect> e = d.on(new NodeEvent.SendData("r", id(2), new byte[] {1}));
        assertThat(Driver.ofType(e, NodeEffect.DataFailed.class)).hasSize(1);
    }

    @Test
    void dataForUsIsDeliveredAndAcknowledgedOverTheOverlay() {
        Driver d = wired();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.3", 40001));
        String data = WireCodec.encode(new Message.Data("m1", 30, id(3), SELF, List.of(id(3)), new byte[] {7, 8}));
        List<Effect> e = d.on(new Event.LineReceived(in, data));
        NodeEffect.Deliver del = Driver.ofType(e, NodeEffect.Deliver.class).get(0);
        assertThat(del.from()).isEqualTo(id(3));
        assertThat(del.payload()).containsExactly(7, 8);
        assertThat(del.path()).containsExactly(id(3), SELF);
        Message.DataAck ack = (Message.DataAck) decodePeer(Driver.lines(e).get(0));
        assertThat(e).contains(new Effect.Send(conn(d, id(3)), Driver.lines(e).get(0)));
        assertThat(ack.dst()).isEqualTo(id(3));
        assertThat(ack.src()).isEqualTo(SELF);
        assertThat(ack.forwardPath()).containsExactly(id(3), SELF);
        assertThat(d.on(new Event.LineReceived(in, data))).isEmpty(); // duplicate
    }

    /**
     * A relay with no route back to the source (2 is known but we reach it over no link): the DACK that comes back
     * on our out-link to the destination goes out on the in-link its DATA came in on.
     */
    @Test
    void aDackWithoutARouteBackRetracesTheWayItsDataCame() {
        Driver d = new Driver(Driver.config(1).withK(2).withPolicy("k-closest"));
        double[] rtt = {50, 10, 20, 80};
        for (int i = 0; i < 4; i++) {
            d.rtts.put(id(i + 2), rtt[i]);
            d.features.put(id(i + 2), List.of("hb", "data", "back"));
        }
        d.join(List.of(id(2), id(3), id(4), id(5)), List.of());
        d.advance(600);
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(3), id(4));
        assertThat(d.core.route(id(2))).isEmpty();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.2", 40001));
        List<Effect> e = d.on(new Event.LineReceived(
                in, WireCodec.encode(new Message.Data("m7", 9, id(2), id(4), List.of(id(2)), new byte[] {1}))));
        assertThat(Driver.lines(e)).singleElement().satisfies(l -> assertThat(l).startsWith("DATA@"));
        String ack = WireCodec.encode(new Message.DataAck("m7", 9, id(4), id(2), List.of(id(2), SELF, id(4))));
        List<Effect> back = d.on(new Event.LineReceived(conn(d, id(4)), ack));
        assertThat(Driver.ofType(back, Effect.Send.class)).singleElement().satisfies(s -> {
            assertThat(s.conn()).isEqualTo(in);
            assertThat(s.line()).startsWith("DACK@m7@8@");
        });
        assertThat(d.core.counters().acksSentBack).isEqualTo(1);
    }

    @Test
    void dataIsForwardedWithTtlDecrementedAndDroppedAtTtlZero() {
        Driver d = wired();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        List<Effect> e = d.on(new Event.LineReceived(
                in, WireCodec.encode(new Message.Data("m2", 5, id(9), id(4), List.of(id(9)), new byte[] {1}))));
        Message.Data fwd = (Message.Data) decodePeer(Driver.lines(e).get(0));
        assertThat(e).contains(new Effect.Send(conn(d, id(4)), Driver.lines(e).get(0)));
        assertThat(fwd.ttl()).isEqualTo(4);
        assertThat(fwd.path()).containsExactly(id(9), SELF);
        List<Effect> last = d.on(new Event.LineReceived(
                in, WireCodec.encode(new Message.Data("m4", 1, id(9), id(4), List.of(id(9)), new byte[] {1}))));
        assertThat(((Message.Data) decodePeer(Driver.lines(last).get(0))).ttl()).isZero();
        assertThat(d.on(new Event.LineReceived(
                        in, WireCodec.encode(new Message.Data("m3", 0, id(9), id(4), List.of(id(9)), new byte[] {1})))))
                .isEmpty();
        assertThat(d.core.counters().dataDropped).isEqualTo(1);
    }

    @Test
    void sentDataIsAckedWithPathAndRoundTripTime() {
        Driver d = wired();
        List<Effect> e = d.on(new NodeEvent.SendData("r1", id(3), new byte[] {1, 2}));
        Message.Data sent = (Message.Data) decodePeer(Driver.lines(e).get(0));
        assertThat(e).contains(new Effect.Send(conn(d, id(3)), Driver.lines(e).get(0)));
        assertThat(sent.ttl()).isEqualTo(32);
        long sentAt = d.now;
        d.now += 12;
        ConnId in = new ConnId(-6);
        d.on(new Event.Accepted(in, "10.0.0.3", 40001));
        List<Effect> a = d.on(new Event.LineReceived(
                in, WireCodec.encode(new Message.DataAck(sent.msgId(), 32, id(3), SELF, List.of(SELF, id(3))))));
        NodeEffect.DataAcked acked =
                Driver.ofType(a, NodeEffect.DataAcked.class).get(0);
        assertThat(acked.requestId()).isEqualTo("r1");
        assertThat(acked.path()).containsExactly(SELF, id(3));
        assertThat(acked.rttMillis()).isEqualTo(12);
        assertThat(acked.sentAtMillis()).isEqualTo(sentAt);
        d.advance(10_000);
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class)).isEmpty();
    }

    @Test
    void unacknowledgedDataFailsAfterTheTimeout() {
        Driver d = wired();
        d.on(new NodeEvent.SendData("r2", id(4), new byte[] {1}));
        d.advance(4900);
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class)).isEmpty();
        d.advance(200);
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class))
                .extracting(NodeEffect.DataFailed::requestId)
                .containsExactly("r2");
    }

    @Test
    void dataToAnUnknownNodeFailsWithNoRoute() {
        Driver d = wired();
        List<Effect> e = d.on(new NodeEvent.SendData("r3", id(77), new byte[] {1}));
        assertThat(Driver.ofType(e, NodeEffect.DataFailed.class).get(0).reason())
                .contains("no route");
    }

    // ---------------------------------------------------------------------------------- routing

    @Test
    void routesAreShortestPathsOverTheView() {
        Driver d = wired();
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        d.on(new Event.LineReceived(in, Driver.update("ab01", 1, id(3), 5, id(5))));
        d.on(new Event.LineReceived(in, Driver.update("ab02", 1, id(4), 1, id(5), id(2))));
        RouteInfo r5 = d.core.route(id(5)).orElseThrow();
        assertThat(r5.path()).containsExactly(SELF, id(3), id(5));
        assertThat(r5.cost()).isEqualTo(15.0);
        RouteInfo r2 = d.core.route(id(2)).orElseThrow();
        assertThat(r2.path()).containsExactly(SELF, id(4), id(2));
        assertThat(r2.cost()).isEqualTo(21.0);
        assertThat(d.core.routes()).hasSize(4);
        NodeStatus s = d.core.status();
        assertThat(s.neighbors()).extracting(NodeStatus.Neighbor::node).containsExactlyInAnyOrder(id(3), id(4));
        assertThat(s.knownNodes()).isEqualTo(4);
        assertThat(s.unreachable()).isZero();
        assertThat(s.ownCost()).isEqualTo((10 + 20 + 15 + 21) / 4.0);
    }
}
