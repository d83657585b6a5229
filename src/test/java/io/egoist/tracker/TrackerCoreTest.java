package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Reassembler;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TrackerCore fed events directly: every behaviour of the tracker without a socket or a clock. */
class TrackerCoreTest {

    static final long PERIOD = 1_000;
    static final long EXPIRE = 10_000;
    static final long PING_TIMEOUT = 300;
    static final NodeId A = NodeId.parse("10.0.0.1:7000");
    static final NodeId B = NodeId.parse("10.0.0.2:7000");
    static final NodeId C = NodeId.parse("10.0.0.3:7000");

    TrackerCore core;
    long now = 1_000_000;
    long nextConn = 1;

    @BeforeEach
    void setUp() {
        core = newCore(TrackerSnapshot.EMPTY);
    }

    static TrackerCore newCore(TrackerSnapshot initial) {
        TrackerConfig config = new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, PERIOD, EXPIRE, PING_TIMEOUT)
                .withAllowForeignIds(true);
        return new TrackerCore(config, initial);
    }

    // ---------------------------------------------------------------------------------- helpers

    ConnId accept() {
        ConnId c = new ConnId(nextConn++);
        assertThat(core.handle(now, new Event.Accepted(c, "127.0.0.1", 40000 + (int) c.value())))
                .isEmpty();
        return c;
    }

    List<Effect> line(ConnId c, String line) {
        return core.handle(now, new Event.LineReceived(c, line));
    }

    /** A line on a fresh connection. */
    List<Effect> send(String line) {
        return line(accept(), line);
    }

    List<Effect> register(NodeId id) {
        return send("REG@" + id);
    }

    List<Effect> update(NodeId src, NodeId... dsts) {
        StringBuilder sb = new StringBuilder("UPT");
        double cost = 10;
        for (NodeId d : dsts)
            sb.append('@')
                    .append(src)
                    .append('@')
                    .append(d)
                    .append('@')
                    .append(cost++)
                    .append('|');
        return send(sb.toString());
    }

    List<Effect> sweep() {
        return core.handle(now, new Event.TimerFired(TrackerCore.SWEEP_TIMER));
    }

    List<Effect> probeResult(NodeId id, double rtt) {
        return core.handle(now, new Event.ProbeResult(id, rtt));
    }

    static List<String> sent(List<Effect> effects) {
        List<String> out = new ArrayList<>();
        for (Effect e : effects) if (e instanceof Effect.Send s) out.add(s.line());
        return out;
    }

    static boolean closes(List<Effect> effects) {
        return effects.stream().anyMatch(e -> e instanceof Effect.Close);
    }

    static List<Effect.Probe> probes(List<Effect> effects) {
        return effects.stream()
                .filter(e -> e instanceof Effect.Probe)
                .map(e -> (Effect.Probe) e)
                .toList();
    }

    static Message.RegisterReply reassemble(List<String> lines) {
        Reassembler r = new Reassembler();
        Reassembler.Result res = null;
        for (String l : lines) res = r.acceptLine(l);
        assertThat(res).isInstanceOf(Reassembler.Done.class);
        return ((Reassembler.Done) res).reply();
    }

    TrackerNode node(NodeId id) {
        return core.snapshot().node(id).orElseThrow();
    }

    // ------------------------------------------------------------------------------ REG / UPT

    @Test
    void startArmsTheSweepTimer() {
        assertThat(core.start(now))
                .containsExactly(
                        new Effect.SetTimer(TrackerCore.SWEEP_TIMER, now + PERIOD),
                        new Effect.SetTimer(TrackerCore.IDLE_TIMER, now + TrackerConfig.DEFAULT_IDLE_TIMEOUT_MS / 4));
    }

    @Test
    void registrationRepliesWithTheOverlayAndLeavesTheConnectionOpen() {
        register(A);
        List<Effect> fx = register(B);
        assertThat(sent(fx)).containsExactly("REG@10.0.0.1:7000@10.0.0.2:7000#");
        assertThat(closes(fx)).isFalse();
        assertThat(core.snapshot().ids()).containsExactly(A, B);
        assertThat(node(B).lastSeenMs()).isEqualTo(now);
    }

    @Test
    void registrationReplyCarriesEveryLinkInOriginalForm() {
        register(A);
        register(B);
        update(A, B);
        update(B, A);
        List<Effect> fx = register(C);
        assertThat(sent(fx))
                .containsExactly(
                        "REG@10.0.0.1:7000@10.0.0.2:7000@10.0.0.3:7000#@10.0.0.1:7000@10.0.0.2:7000@10|@10.0.0.2:7000@10.0.0.1:7000@10|");
    }

    @Test
    void duplicateRegistrationGetsFullReply() {
        register(A);
        register(B);
        update(A, B);
        now += 500;
        List<Effect> fx = register(A);
        assertThat(sent(fx)).containsExactly("REG@10.0.0.1:7000@10.0.0.2:7000#@10.0.0.1:7000@10.0.0.2:7000@10|");
        assertThat(core.nodeCount()).isEqualTo(2);
        assertThat(node(A).lastSeenMs()).isEqualTo(now);
        assertThat(node(A).links()).hasSize(1); // a rejoin keeps the links until the next UPT
    }

    @Test
    void registrationIsPersisted() {
        List<Effect> fx = register(A);
        assertThat(fx).contains(new TrackerEffect.PersistNode(new TrackerNode(A, now, false, List.of())));
    }

    @Test
    void updateFromRegisteredNodeReplacesItsLinksAndClosesWithoutReply() {
        register(A);
        register(B);
        register(C);
        update(A, B, C);
        now += 100;
        List<Effect> fx = update(A, C);
        assertThat(sent(fx)).isEmpty();
        assertThat(closes(fx)).isTrue();
        assertThat(node(A).links()).containsExactly(new Link(A, C, 10));
        assertThat(node(A).lastSeenMs()).isEqualTo(now);
        assertThat(core.linkCount()).isEqualTo(1);
        assertThat(fx)
                .contains(new TrackerEffect.PersistNode(new TrackerNode(A, now, false, List.of(new Link(A, C, 10)))));
    }

    @Test
    void updateMayNameLinksToNodesTheTrackerDoesNotKnow() {
        register(A);
        List<Effect> fx = update(A, B);
        assertThat(sent(fx)).isEmpty();
        assertThat(node(A).links()).containsExactly(new Link(A, B, 10));
    }

    @Test
    void bareUpdateIsIgnoredAndClosed() {
        register(A);
        TrackerSnapshot before = core.snapshot();
        List<Effect> fx = send("UPT");
        assertThat(sent(fx)).isEmpty();
        assertThat(closes(fx)).isTrue();
        assertThat(core.snapshot()).isEqualTo(before);
    }

    @Test
    void emptyLineClosesTheConnection() {
        List<Effect> fx = send("");
        assertThat(fx).containsExactly(new Effect.Close(new ConnId(nextConn - 1)));
    }

    @Test
    void linesAfterTheTrackerClosedAreIgnored() {
        register(A);
        ConnId c = accept();
        assertThat(closes(line(c, "UPT@10.0.0.1:7000@10.0.0.2:7000@5|"))).isTrue();
        assertThat(line(c, "UPT@10.0.0.1:7000@10.0.0.3:7000@5|")).isEmpty();
        assertThat(node(A).links()).containsExactly(new Link(A, B, 5));
    }

    @Test
    void severalRequestsOnOneOpenRegistrationConnectionAreServed() {
        register(B);
        ConnId c = accept();
        assertThat(sent(line(c, "REG@" + A))).hasSize(1);
        List<Effect> fx = line(c, "UPT@10.0.0.1:7000@10.0.0.2:7000@7.5|");
        assertThat(closes(fx)).isTrue();
        assertThat(node(A).links()).containsExactly(new Link(A, B, 7.5));
    }

    @Test
    void largeOverlayReplyIsSegmentedAndReassemblesToTheSameOverlay() {
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            NodeId id = new NodeId("10.1." + (i / 250) + "." + (i % 250 + 1), 7000 + i);
            ids.add(id);
            register(id);
        }
        for (int i = 0; i < ids.size(); i++) {
            update(ids.get(i), ids.get((i + 1) % ids.size()), ids.get((i + 7) % ids.size()));
        }
        List<String> lines = sent(register(ids.get(0)));
        assertThat(lines.size()).isGreaterThan(2);
        assertThat(lines.get(0)).startsWith("OVER@");
        assertThat(lines.get(lines.size() - 1)).startsWith("NET");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(Seed.PKT_LIMIT));
        Message.RegisterReply reply = reassemble(lines);
        assertThat(reply.nodes()).containsExactlyElementsOf(core.snapshot().ids());
        List<Link> all = new ArrayList<>();
        core.snapshot().nodes().forEach(n -> all.addAll(n.links()));
        assertThat(reply.links()).containsExactlyElementsOf(all).hasSize(1200);
    }

    // --------------------------------------------------------------------------------- removal

    @Test
    void removeMakesTheNodeASuspectAndProbesItsEchoAtOnce() {
        register(A);
        List<Effect> fx = send("RMV@" + A);
        assertThat(closes(fx)).isTrue();
        assertThat(sent(fx)).isEmpty();
        assertThat(probes(fx)).containsExactly(new Effect.Probe(A, PING_TIMEOUT));
        assertThat(node(A).suspect()).isTrue();
        assertThat(fx).contains(new TrackerEffect.PersistNode(node(A)));
    }

    @Test
    void removeOfUnknownNodeOnlyCloses() {
        register(A);
        TrackerSnapshot before = core.snapshot();
        List<Effect> fx = send("RMV@" + B);
        assertThat(fx).containsExactly(new Effect.Close(new ConnId(nextConn - 1)));
        assertThat(core.snapshot()).isEqualTo(before);
    }

    @Test
    void suspectWhoseEchoAnswersStays() {
        register(A);
        send("RMV@" + A);
        List<Effect> fx = probeResult(A, 1.5);
        assertThat(node(A).suspect()).isFalse();
        assertThat(fx).contains(new TrackerEffect.PersistNode(node(A)));
        assertThat(probes(sweep())).isEmpty();
        assertThat(core.snapshot().ids()).containsExactly(A);
    }

    @Test
    void oneFailedProbeNeverRemovesANode() {
        register(A);
        send("RMV@" + A);
        probeResult(A, -1);
        assertThat(core.snapshot().ids()).containsExactly(A);
        assertThat(node(A).suspect()).isTrue();
    }

    @Test
    void suspectIsProbedAgainAtTheSweepAndStaysIfThatProbeIsAnswered() {
        register(A);
        send("RMV@" + A);
        probeResult(A, -1);
        assertThat(probes(sweep())).containsExactly(new Effect.Probe(A, PING_TIMEOUT));
        probeResult(A, 2.0);
        assertThat(node(A).suspect()).isFalse();
        assertThat(probes(sweep())).isEmpty();
        assertThat(core.snapshot().ids()).containsExactly(A);
    }

    @Test
    void suspectThatFailsTheProbeAtReportAndAtTheSweepIsRemovedWithItsLinks() {
        register(A);
        register(B);
        register(C);
        update(A, B, C);
        update(B, A, C);
        update(C, A);
        send("RMV@" + A);
        probeResult(A, -1);
        sweep();
        List<Effect> fx = probeResult(A, -1);
        assertThat(core.snapshot().ids()).containsExactly(B, C);
        assertThat(node(B).links()).containsExactly(new Link(B, C, 11));
        assertThat(node(C).links()).isEmpty();
        assertThat(core.linkCount()).isEqualTo(1);
        assertThat(fx)
                .contains(
                        new TrackerEffect.DeleteNode(A),
                        new TrackerEffect.PersistNode(node(B)),
                        new TrackerEffect.PersistNode(node(C)));
        assertThat(core.counters().removal(TrackerCore.CAUSE_DEAD_AFTER_RMV)).isEqualTo(1);
        assertThat(sent(register(B)))
                .containsExactly("REG@10.0.0.2:7000@10.0.0.3:7000#@10.0.0.2:7000@10.0.0.3:7000@11|");
    }

    @Test
    void sweepWaitsForEveryProbeInFlightBeforeRemoving() {
        register(A);
        send("RMV@" + A); // probe 1 in flight
        sweep(); // probe 2 in flight
        probeResult(A, -1); // one of them failed
        assertThat(core.snapshot().ids()).containsExactly(A);
        probeResult(A, -1); // both failed
        assertThat(core.snapshot().ids()).isEmpty();
    }

    @Test
    void anyAnsweredProbeInTheSweepRoundKeepsTheNode() {
        register(A);
        send("RMV@" + A);
        sweep();
        probeResult(A, -1);
        probeResult(A, 0.7);
        assertThat(core.snapshot().ids()).containsExactly(A);
        assertThat(node(A).suspect()).isFalse();
    }

    @Test
    void manyReportsOfOneNodeSendOneProbeAtATime() {
        register(A);
        assertThat(probes(send("RMV@" + A))).hasSize(1);
        assertThat(probes(send("RMV@" + A))).isEmpty();
        assertThat(node(A).suspect()).isTrue();
    }

    @Test
    void laterUpdateCancelsRemove() {
        register(A);
        register(B);
        send("RMV@" + A);
        probeResult(A, -1);
        update(A, B);
        assertThat(node(A).suspect()).isFalse();
        assertThat(probes(sweep())).isEmpty();
        probeResult(A, -1); // a late result changes nothing
        assertThat(core.snapshot().ids()).containsExactly(A, B);
    }

    @Test
    void laterRegistrationCancelsRemove() {
        register(A);
        send("RMV@" + A);
        sweep();
        register(A);
        probeResult(A, -1);
        probeResult(A, -1);
        assertThat(core.snapshot().ids()).containsExactly(A);
        assertThat(node(A).suspect()).isFalse();
    }

    @Test
    void probeResultsFromBeforeASignOfLifeAreIgnored() {
        register(A);
        register(B);
        send("RMV@" + A); // probe 1
        update(A, B); // alive: probe 1's result is stale
        send("RMV@" + A); // probe 2
        sweep(); // probe 3
        probeResult(A, -1); // probe 1 (stale): ignored
        probeResult(A, -1); // probe 2
        assertThat(core.snapshot().ids()).containsExactly(A, B);
        probeResult(A, -1); // probe 3: every probe since the last sign of life failed
        assertThat(core.snapshot().ids()).containsExactly(B);
    }

    @Test
    void answeredProbeMakesTheOtherResultsInFlightStale() {
        register(A);
        send("RMV@" + A); // probe 1
        sweep(); // probe 2
        probeResult(A, 3.0); // probe 1 answered: cleared
        send("RMV@" + A); // reported again: probe 3
        sweep(); // probe 4 (round)
        probeResult(A, -1); // probe 2 (stale)
        probeResult(A, -1); // probe 3
        assertThat(core.snapshot().ids()).containsExactly(A);
        probeResult(A, -1); // probe 4
        assertThat(core.snapshot().ids()).isEmpty();
    }

    @Test
    void lostProbeResultsDoNotStallTheNextSweep() {
        register(A);
        send("RMV@" + A);
        sweep(); // neither result ever comes back
        assertThat(probes(sweep())).hasSize(1);
        probeResult(A, -1);
        assertThat(core.snapshot().ids()).isEmpty();
    }

    @Test
    void silentNodeIsProbedAtTheSweepAndExpiresWhenTheProbeFails() {
        register(A);
        register(B);
        update(B, A);
        now += EXPIRE / 2;
        update(A, B);
        now += EXPIRE / 2 + 1;
        List<Effect> fx = sweep();
        // silence alone removes nothing: B is probed first
        assertThat(core.snapshot().ids()).containsExactly(A, B);
        assertThat(probes(fx)).containsExactly(new Effect.Probe(B, PING_TIMEOUT));
        assertThat(fx).contains(new Effect.SetTimer(TrackerCore.SWEEP_TIMER, now + PERIOD));
        assertThat(node(B).suspect()).isFalse(); // nobody reported it
        fx = probeResult(B, -1);
        assertThat(core.snapshot().ids()).containsExactly(A);
        assertThat(node(A).links()).isEmpty();
        assertThat(fx).contains(new TrackerEffect.DeleteNode(B));
        assertThat(core.counters().removal(TrackerCore.CAUSE_EXPIRED)).isEqualTo(1);
    }

    @Test
    void silentNodeThatAnswersItsProbeStaysAndIsNotProbedAgainBeforeExpireAfter() {
        register(A);
        now += EXPIRE + 1;
        assertThat(probes(sweep())).containsExactly(new Effect.Probe(A, PING_TIMEOUT));
        List<Effect> fx = probeResult(A, 2.5);
        assertThat(core.snapshot().ids()).containsExactly(A);
        assertThat(node(A).lastSeenMs()).isEqualTo(now); // the answer is a sign of life
        assertThat(fx).contains(new TrackerEffect.PersistNode(node(A)));
        now += PERIOD;
        assertThat(probes(sweep())).isEmpty();
        now += EXPIRE;
        assertThat(probes(sweep())).containsExactly(new Effect.Probe(A, PING_TIMEOUT));
        assertThat(core.counters().removal(TrackerCore.CAUSE_EXPIRED)).isZero();
    }

    @Test
    void silentNodeThatSendsAnUpdateWhileProbedIsKeptWhateverTheProbeSays() {
        register(A);
        register(B);
        now += EXPIRE + 1;
        sweep();
        update(A, B);
        probeResult(A, -1); // sent before the UPT: says nothing about A now
        assertThat(core.snapshot().ids()).contains(A);
    }

    @Test
    void nodeSeenWithinExpiryIsKept() {
        register(A);
        now += EXPIRE;
        sweep();
        assertThat(core.snapshot().ids()).containsExactly(A);
    }

    // ---------------------------------------------------------------------------- initial state

    @Test
    void initialStateIsServedAndExpiresByItsLastSeen() {
        TrackerNode a = new TrackerNode(A, now - EXPIRE - 1, false, List.of(new Link(A, B, 3)));
        TrackerNode b = new TrackerNode(B, now, true, List.of(new Link(B, A, 4)));
        core = newCore(new TrackerSnapshot(List.of(a, b)));
        assertThat(core.snapshot().nodes()).containsExactly(a, b);
        assertThat(sent(register(C)))
                .containsExactly(
                        "REG@10.0.0.1:7000@10.0.0.2:7000@10.0.0.3:7000#@10.0.0.1:7000@10.0.0.2:7000@3|@10.0.0.2:7000@10.0.0.1:7000@4|");
        List<Effect> fx = sweep();
        // B: a persisted suspect; A: silent since before the start, probed before it is expired
        assertThat(probes(fx))
                .containsExactlyInAnyOrder(new Effect.Probe(A, PING_TIMEOUT), new Effect.Probe(B, PING_TIMEOUT));
        probeResult(A, -1);
        assertThat(core.snapshot().ids()).containsExactly(B, C);
    }

    // -------------------------------------------------------------------------------- bad input

    static Stream<Arguments> badLines() {
        return Stream.of(
                Arguments.of("hello", "unknown-type"),
                Arguments.of("@@@", "unknown-type"),
                Arguments.of("FOO@10.0.0.1:7000", "unknown-type"),
                Arguments.of("TRD@", "unknown-type"),
                Arguments.of("NACK@x", "unknown-type"),
                Arguments.of("REG@", "bad-address"),
                Arguments.of("REG@10.0.0.1:7000@10.0.0.2:7000", "malformed"),
                Arguments.of("REG@10.0.0:7000", "bad-address"),
                Arguments.of("REG@10.0.0.256:7000", "bad-address"),
                Arguments.of("REG@host.example:7000", "bad-address"),
                Arguments.of("REG@10.0.0.1", "bad-address"),
                Arguments.of("REG@10.0.0.1:70000", "bad-port"),
                Arguments.of("REG@10.0.0.1:0", "bad-port"),
                Arguments.of("REG@10.0.0.1:x1", "bad-port"),
                Arguments.of("RMV@10.0.0.1:-1", "bad-port"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@-1|", "bad-cost"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@nan|", "bad-cost"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@inf|", "bad-cost"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@1e999|", "bad-cost"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@abc|", "bad-cost"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@|", "bad-cost"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:99999@5|", "bad-port"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@5", "malformed"),
                Arguments.of("UPT@10.0.0.1:7000@10.0.0.2:7000@5|@10.0.0.2:7000@10.0.0.1:7000@5|", "mixed-sources"),
                Arguments.of("UPT@10.0.0.9:7000@10.0.0.1:7000@5|", "unregistered-source"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void badInputGetsNackAndCloseAndLeavesStateUnchanged(String bad, String category) {
        register(A);
        register(B);
        update(A, B);
        TrackerSnapshot before = core.snapshot();
        List<Effect> fx = send(bad);
        assertThat(sent(fx)).hasSize(1);
        assertThat(sent(fx).get(0)).startsWith("NACK@").doesNotContain("\r", "\n");
        assertThat(sent(fx).get(0).substring(5)).doesNotContain("@").isNotBlank();
        assertThat(fx.get(fx.size() - 1)).isInstanceOf(Effect.Close.class);
        assertThat(fx).noneMatch(e -> e instanceof TrackerEffect || e instanceof Effect.Probe);
        assertThat(core.snapshot()).isEqualTo(before);
        assertThat(core.counters().nacks()).containsEntry(category, 1L);
        // everyone else is still served
        assertThat(sent(register(C))).hasSize(1);
    }

    @Test
    void overlongLineGetsNackAndClose() {
        register(A);
        TrackerSnapshot before = core.snapshot();
        ConnId c = accept();
        List<Effect> fx = core.handle(now, new Event.LineTooLong(c));
        assertThat(fx).containsExactly(new Effect.Send(c, "NACK@line: longer than 16384 bytes"), new Effect.Close(c));
        assertThat(core.snapshot()).isEqualTo(before);
        assertThat(core.counters().nack("line-too-long")).isEqualTo(1);
    }

    @Test
    void nackNamesTheField() {
        register(A);
        assertThat(sent(send("UPT@10.0.0.1:7000@10.0.0.2:7000@-3|")).get(0))
                .isEqualTo(WireCodec.encode(new Message.Nack("link[0].cost: negative cost: -3")));
        assertThat(sent(send("UPT@10.0.0.9:7000@10.0.0.1:7000@5|")).get(0))
                .isEqualTo("NACK@src: not registered: 10.0.0.9:7000");
    }

    @Test
    void messagesAreCountedByType() {
        register(A);
        register(B);
        update(A, B);
        send("RMV@" + B);
        send("");
        TrackerCounters c = core.counters();
        assertThat(c.message("REG")).isEqualTo(2);
        assertThat(c.message("UPT")).isEqualTo(1);
        assertThat(c.message("RMV")).isEqualTo(1);
        assertThat(c.message("EMPTY")).isEqualTo(1);
    }

    @Test
    void closedConnectionsAreForgotten() {
        ConnId c = accept();
        assertThat(core.connectionCount()).isEqualTo(1);
        core.handle(now, new Event.Closed(c));
        assertThat(core.connectionCount()).isZero();
    }
}
