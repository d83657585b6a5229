package io.egoist.tracker;

import static io.egoist.tracker.TrackerCoreTest.closes;
import static io.egoist.tracker.TrackerCoreTest.sent;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.core.LogValues;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Segmenter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The tracker core's protocol rules, events in, effects out: source checks, ids it cannot serve, the REG rate
 * limit, safe NACKs and log lines, and the O(1) node list of the REG reply.
 */
class TrackerRulesTest {
    static final TrackerConfig CHECKED = new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, 50_000, 180_000, 300);

    TrackerCore core;
    long now = 1_000_000;
    long nextConn = 1;
    ListAppender<ILoggingEvent> logs;

    TrackerCore core(TrackerConfig c) {
        core = new TrackerCore(c, TrackerSnapshot.EMPTY);
        core.start(now);
        return core;
    }

    @AfterEach
    void detachLogs() {
        if (logs != null) ((Logger) LoggerFactory.getLogger(TrackerCore.class)).detachAppender(logs);
    }

    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(TrackerCore.class)).addAppender(logs);
    }

    /** A line from a fresh connection whose peer address is {@code from}. */
    List<Effect> from(String from, String line) {
        ConnId c = new ConnId(nextConn++);
        core.handle(now, new Event.Accepted(c, from, 40000 + (int) c.value()));
        return core.handle(now, new Event.LineReceived(c, line));
    }

    static String nack(List<Effect> fx) {
        List<String> s = sent(fx);
        assertThat(s).hasSize(1);
        assertThat(s.get(0)).startsWith("NACK@");
        assertThat(closes(fx)).isTrue();
        return s.get(0);
    }

    // ----------------------------------------------------------------------------- source checks

    @Test
    void regOfAnIdWhoseAddressIsNotTheSendersIsRefused() {
        core(CHECKED);
        String n = nack(from("127.0.0.1", "REG@10.0.0.1:7000"));
        assertThat(n).isEqualTo("NACK@node: id 10.0.0.1:7000 is not the sender's address 127.0.0.1");
        assertThat(core.nodeCount()).isZero();
        assertThat(core.counters().nack(TrackerCore.NACK_FOREIGN_ID)).isEqualTo(1);
        assertThat(sent(from("10.0.0.1", "REG@10.0.0.1:7000"))).containsExactly("REG@10.0.0.1:7000#");
    }

    @Test
    void uptForAnIdWhoseAddressIsNotTheSendersIsRefusedAndChangesNothing() {
        core(CHECKED);
        from("10.0.0.1", "REG@10.0.0.1:7000");
        long seen = core.snapshot().nodes().get(0).lastSeenMs();
        now += 1_000;
        String n = nack(from("10.0.0.66", "UPT@10.0.0.1:7000@10.0.0.2:7000@5|"));
        assertThat(n).startsWith("NACK@src: id 10.0.0.1:7000 is not the sender's address 10.0.0.66");
        TrackerNode a = core.snapshot().nodes().get(0);
        assertThat(a.links()).isEmpty();
        assertThat(a.lastSeenMs()).isEqualTo(seen); // a stranger cannot keep a dead id alive
        assertThat(closes(from("10.0.0.1", "UPT@10.0.0.1:7000@10.0.0.2:7000@5|")))
                .isTrue();
        assertThat(core.snapshot().nodes().get(0).links()).hasSize(1);
    }

    @Test
    void rmvIsTakenOnlyFromTheAddressOfARegisteredNode() {
        core(CHECKED);
        from("10.0.0.1", "REG@10.0.0.1:7000");
        from("10.0.0.2", "REG@10.0.0.2:7000");
        String n = nack(from("192.168.9.9", "RMV@10.0.0.1:7000"));
        assertThat(n).isEqualTo("NACK@reporter: RMV taken only from a registered node's address, not 192.168.9.9");
        assertThat(core.suspectCount()).isZero();
        assertThat(core.counters().nack(TrackerCore.NACK_FOREIGN_RMV)).isEqualTo(1);
        List<Effect> fx = from("10.0.0.2", "RMV@10.0.0.1:7000");
        assertThat(sent(fx)).isEmpty();
        assertThat(TrackerCoreTest.probes(fx)).hasSize(1);
        assertThat(core.suspectCount()).isEqualTo(1);
    }

    @Test
    void allowForeignIdsTurnsTheChecksOff() {
        core(CHECKED.withAllowForeignIds(true));
        assertThat(sent(from("127.0.0.1", "REG@10.0.0.1:7000"))).containsExactly("REG@10.0.0.1:7000#");
        assertThat(sent(from("127.0.0.1", "UPT@10.0.0.1:7000@10.0.0.2:7000@5|")))
                .isEmpty();
        assertThat(TrackerCoreTest.probes(from("172.16.0.1", "RMV@10.0.0.1:7000")))
                .hasSize(1);
    }

    // ---------------------------------------------------------------------- ids it cannot serve

    @Test
    void port65535IsRefusedAtRegAndIgnoredInLinkLists() {
        core(CHECKED.withAllowForeignIds(true));
        String n = nack(from("127.0.0.1", "REG@10.0.0.9:65535"));
        assertThat(n).isEqualTo("NACK@node: port 65535 leaves no echo port (65536)");
        assertThat(core.nodeCount()).isZero();
        assertThat(core.counters().nack(TrackerCore.NACK_UNSERVABLE_ID)).isEqualTo(1);
        assertThat(sent(from("127.0.0.1", "REG@10.0.0.1:65534"))).hasSize(1); // the highest servable port
        List<Effect> fx = from("127.0.0.1", "UPT@10.0.0.1:65534@10.0.0.9:65535@5|@10.0.0.1:65534@10.0.0.2:7000@6|");
        assertThat(closes(fx)).isTrue();
        assertThat(sent(fx)).isEmpty();
        NodeId a = NodeId.parse("10.0.0.1:65534");
        assertThat(core.snapshot().node(a).orElseThrow().links())
                .containsExactly(new Link(a, NodeId.parse("10.0.0.2:7000"), 6));
        // an RMV of it asks for no probe of port 65536
        assertThat(TrackerCoreTest.probes(from("127.0.0.1", "RMV@10.0.0.9:65535")))
                .isEmpty();
    }

    @Test
    void aLoadedNodeOnPort65535IsLeftOutAndNeverProbed() {
        NodeId bad = NodeId.parse("10.0.0.9:65535"), ok = NodeId.parse("10.0.0.1:7000");
        core = new TrackerCore(
                CHECKED,
                new TrackerSnapshot(List.of(
                        new TrackerNode(bad, now, true, List.of()),
                        new TrackerNode(ok, now, false, List.of(new Link(ok, bad, 3))))));
        assertThat(core.snapshot().ids()).containsExactly(ok);
        assertThat(core.linkCount()).isZero();
    }

    // ------------------------------------------------------------------------------ REG rate limit

    @Test
    void newIdsFromOneAddressBeyondTheBucketGetBusyUntilItRefills() {
        captureLogs();
        core(CHECKED.withRules(new TrackerRules(false, 2, 3)));
        for (int i = 1; i <= 3; i++)
            assertThat(sent(from("10.0.0.1", "REG@10.0.0.1:" + (7000 + 2 * i)))).hasSize(1);
        String n = nack(from("10.0.0.1", "REG@10.0.0.1:7100"));
        assertThat(n).isEqualTo("NACK@busy: too many new ids from this address (3 at once, then 2/s)");
        assertThat(core.nodeCount()).isEqualTo(3);
        assertThat(core.counters().nack(TrackerCore.NACK_REG_RATE)).isEqualTo(1);
        assertThat(logs.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage())
                        .contains("category=reg-rate")
                        .contains("peer=10.0.0.1:"));
        // a known id registers again freely; another address has its own bucket
        assertThat(sent(from("10.0.0.1", "REG@10.0.0.1:7002")).get(0)).startsWith("REG@");
        assertThat(sent(from("10.0.0.2", "REG@10.0.0.2:7000")).get(0)).startsWith("REG@");
        now += 500; // one token back at 2/s
        assertThat(sent(from("10.0.0.1", "REG@10.0.0.1:7100")).get(0)).startsWith("REG@");
        assertThat(sent(from("10.0.0.1", "REG@10.0.0.1:7102")).get(0)).startsWith("NACK@busy");
    }

    @Test
    void rateLimiterForgetsRefilledBucketsToStayBounded() {
        RegRateLimiter l = new RegRateLimiter(10, 2, 4);
        for (int i = 0; i < 4; i++) assertThat(l.tryAcquire("10.0.0." + i, 0)).isTrue();
        assertThat(l.trackedAddresses()).isEqualTo(4);
        assertThat(l.tryAcquire("10.0.1.1", 1_000)).isTrue(); // the others have refilled: forgotten
        assertThat(l.trackedAddresses()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------ NACKs and log lines

    @Test
    void nackReasonIsPrintableAsciiAndTheLogLineEscapesTheInput() {
        captureLogs();
        core(CHECKED);
        String evil = "FOO\"x=1 \u001b[31m\u0000\u00e9\\";
        String n = nack(from("127.0.0.1", evil));
        assertThat(LogValues.isPrintableAscii(n)).as(n).isTrue();
        assertThat(n).contains("\\x1b").contains("\\x00").contains("\\u00e9");
        String logged = logs.list.get(logs.list.size() - 1).getFormattedMessage();
        assertThat(LogValues.isPrintableAscii(logged)).as(logged).isTrue();
        assertThat(logged).contains("\\\"x=1").contains("\\x1b[31m").contains("\\x00");
        // one quoted value: the forged "x=1" stays inside the reason's quotes
        assertThat(logged)
                .matches("event=reject peer=127\\.0\\.0\\.1:\\d+ reason=\"([^\"\\\\]|\\\\.)*\" category=unknown-type");
    }

    // --------------------------------------------------------------------- REG reply, O(1) per join

    @Test
    void aJoinEncodesOneNodePieceAndTheReplyIsOneObjectBetweenChanges() {
        core(CHECKED.withRules(new TrackerRules(true, 1e9, Integer.MAX_VALUE)));
        int n = 3_000;
        for (int i = 0; i < n; i++) from("127.0.0.1", "REG@" + id(i));
        List<String> reply = core.replyLines();
        assertThat(core.replyLines()).isSameAs(reply);
        assertThat(reply.size()).isGreaterThan(2); // segmented
        for (int size : new int[] {n, n + 1_000}) {
            for (int i = core.nodeCount(); i < size; i++) from("127.0.0.1", "REG@" + id(i));
            assertThat(core.nodeCount()).isEqualTo(size);
            long before = core.nodePiecesEncoded();
            List<Effect> fx = from("127.0.0.1", "REG@" + id(size));
            assertThat(core.nodePiecesEncoded() - before)
                    .as("node pieces encoded by one join")
                    .isEqualTo(1);
            assertThat(sent(fx))
                    .isEqualTo(Segmenter.replyLines(
                            new Message.RegisterReply(core.snapshot().ids(), links())));
        }
        // a REG of a known id changes nothing in the reply: the very same list
        List<String> r1 = core.replyLines();
        from("127.0.0.1", "REG@" + id(0));
        assertThat(core.replyLines()).isSameAs(r1);
        // a removal rebuilds the list; replies handed out before stay as they were
        List<String> copy = new ArrayList<>(r1);
        core.handle(now, new Event.ProbeResult(id(0), -1));
        assertThat(r1).isEqualTo(copy);
    }

    static NodeId id(int i) {
        return new NodeId("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 7000);
    }

    List<Link> links() {
        List<Link> all = new ArrayList<>();
        for (TrackerNode t : core.snapshot().nodes()) all.addAll(t.links());
        return all;
    }
}
