package io.egoist.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.compat.V02Node.Config;
import io.egoist.compat.V02Node.Reply;
import io.egoist.compat.V02Wire.V02Link;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The emulators against each other: they must reproduce the documented v0.2 behaviour, defects included,
 * before they can stand in for the original in the compatibility tests.
 */
class V02EmulatorSanityTest {
    @RegisterExtension
    final Closer closer = new Closer();

    private V02Tracker tracker() throws IOException {
        return closer.track(V02Tracker.start(Duration.ofSeconds(60)));
    }

    @Test
    void pythonStrOfFloatsMatchesPython27() {
        assertThat(V02Wire.py2Str(500.0)).isEqualTo("500.0");
        assertThat(V02Wire.py2Str(35.20349121093)).isEqualTo("35.2034912109");
        assertThat(V02Wire.py2Str(1e-05)).isEqualTo("1e-05");
        assertThat(V02Wire.py2Str(0.0001)).isEqualTo("0.0001");
        assertThat(V02Wire.py2Str(123456789012.0)).isEqualTo("123456789012.0");
        assertThat(V02Wire.py2Str(1234567890123.0)).isEqualTo("1.23456789012e+12");
        assertThat(V02Wire.py2Str(1e16)).isEqualTo("1e+16");
        assertThat(V02Wire.py2Str(1000.0 / 3)).isEqualTo("333.333333333");
        assertThat(V02Wire.py2Str(0.0)).isEqualTo("0.0");
    }

    @Test
    void firstNodeGetsOneLineReplyWithItselfOnly() throws IOException {
        V02Tracker t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(2)));
        assertThat(a.reply()).isEqualTo(Reply.ONE_LINE);
        assertThat(a.replyLines()).containsExactly("REG@" + a.id() + "#");
        assertThat(a.knownNodes()).containsExactly(a.id());
        assertThat(a.neighbors()).isEmpty();
        // no links: a bare UPT, which the v0.2 tracker cannot parse and ignores
        assertThat(a.sentLines()).containsExactly("REG@" + a.id(), "UPT");
    }

    @Test
    void laterNodeLinksToFirstKAndAnnouncesBothForms() throws IOException {
        V02Tracker t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node c = closer.track(V02Node.start(t.port(), Config.of(2)));

        assertThat(c.replyLines()).hasSize(1);
        assertThat(c.replyLines().get(0)).startsWith("REG@" + a.id() + "@" + b.id() + "@" + c.id() + "#");
        assertThat(c.neighbors()).containsExactly(a.id(), b.id());

        String peerLink = "@" + c.id() + "@" + a.id() + "@500|@" + c.id() + "@" + b.id() + "@500|";
        assertThat(c.sentLines()).contains("UPT" + peerLink);
        assertThat(c.sentLines())
                .anyMatch(l -> l.matches("UPT@[0-9a-f]{40}@1" + java.util.regex.Pattern.quote(peerLink)));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(t.linksOf(c.id()))
                        .containsExactly(new V02Link(c.id(), a.id(), 500), new V02Link(c.id(), b.id(), 500)));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(a.linksOf(c.id())).hasSize(2));
        // the tracker re-prints costs with Python's str: 500 comes back as 500.0
        V02Node d = closer.track(V02Node.start(t.port(), Config.of(1)));
        assertThat(d.replyLines().get(0)).contains("@" + c.id() + "@" + a.id() + "@500.0|");
        assertThat(d.linksOf(c.id())).hasSize(2);
    }

    @Test
    void duplicateRegistrationGetsAnEmptyLineAndTheRestartedNodeLearnsNothing() throws IOException {
        V02Tracker t = tracker();
        closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(2)));
        int port = b.mainPort();
        b.close();

        V02Node again = closer.track(V02Node.listen(t.port(), Config.of(2), port));
        again.join();
        assertThat(again.id()).isEqualTo(b.id());
        assertThat(again.reply()).isEqualTo(Reply.EMPTY);
        assertThat(again.replyLines()).containsExactly("");
        assertThat(again.knownNodes()).containsExactly(again.id());
        assertThat(again.neighbors()).isEmpty();
    }

    @Test
    void duplicateRegKeepsTheConnectionOpen() throws IOException {
        V02Tracker t = tracker();
        try (RawLine c = new RawLine(t.port())) {
            assertThat(c.send("REG@10.0.0.1:7000").read()).isEqualTo("REG@10.0.0.1:7000#");
            assertThat(c.send("REG@10.0.0.1:7000").read()).isEmpty();
            assertThat(c.stillOpenAfter(200)).isTrue();
        }
    }

    @Test
    void segmentedReplyGivesTheNodesButTheLinksAreLost() throws IOException {
        V02Tracker t = tracker();
        for (int i = 0; i < 600; i++) {
            String id = "10.0." + (i / 250) + "." + (i % 250 + 1) + ":7000";
            String next = "10.0." + ((i + 1) % 600 / 250) + "." + ((i + 1) % 600 % 250 + 1) + ":7000";
            t.preRegister(id, List.of(new V02Link(id, next, 12.5 + i)));
        }
        // k = 0: this test is about the reply, not about linking to the fake nodes
        V02Node n = closer.track(V02Node.start(t.port(), Config.of(0)));
        assertThat(n.reply()).isEqualTo(Reply.SEGMENTED);
        List<String> lines = n.replyLines();
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(V02Wire.PKT_LIMIT));
        long over = lines.stream().filter(l -> l.startsWith("OVER")).count();
        long net = lines.stream().filter(l -> l.startsWith("NET")).count();
        assertThat(over).isGreaterThan(1);
        assertThat(net).isGreaterThan(1);
        assertThat(lines.get((int) over - 1)).doesNotEndWith("SEG").doesNotContain("#");
        assertThat(lines.get(lines.size() - 1)).doesNotEndWith("SEG");
        assertThat(lines.subList(0, (int) over - 1))
                .allSatisfy(l -> assertThat(l).endsWith("SEG"));
        assertThat(n.knownNodes()).hasSize(601).contains("10.0.2.100:7000", n.id());
        assertThat(n.linkCount()).isZero(); // defect: the NET lines' links are dropped
    }

    @Test
    void peerUpdatesAreStoredAndForwardedOnceAndStaleOrWrappedOnesDropped() throws Exception {
        V02Tracker t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(1)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(1))); // b -> a
        String src = "10.9.9.9:7000";
        String links = "@" + src + "@" + b.id() + "@35.2|";
        try (RawLine c = new RawLine(b.mainPort())) {
            c.send("UPT@aa01@4998" + links);
            c.send("UPT@aa01@4999" + links); // seen hash: dropped
            c.send("UPT@aa02@4998@" + src + "@" + b.id() + "@1|"); // not newer: dropped
            c.send("UPT@aa03@4999@" + src + "@" + b.id() + "@2|"); // newer: stored
            c.send("UPT@aa04@3@" + src + "@" + b.id() + "@3|"); // after the wrap: dropped (defect)
            c.send("TRD@");
            assertThat(c.closedWithoutReply()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(b.linksOf(src)).containsExactly(new V02Link(src, b.id(), 2)));
        assertThat(b.acceptedUpdates()).hasSize(2);
        // forwarded unchanged to b's out-neighbor a
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(a.mainLines())
                        .contains("UPT@aa01@4998" + links, "UPT@aa03@4999@" + src + "@" + b.id() + "@2|"));
        assertThat(a.linksOf(src)).containsExactly(new V02Link(src, b.id(), 2));
        assertThat(a.knownNodes()).contains(src);
    }

    @Test
    void echoPortReturnsEveryLineUnchangedIncludingHello() throws IOException {
        V02Tracker t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(1)));
        assertThat(a.echoPort()).isEqualTo(a.mainPort() + 1);
        try (RawLine c = new RawLine(a.echoPort())) {
            assertThat(c.send("HELLO@10.0.0.1:7000@hb,data").read()).isEqualTo("HELLO@10.0.0.1:7000@hb,data");
            assertThat(c.send("1764083000.12").read()).isEqualTo("1764083000.12");
        }
        assertThat(a.mainLines()).isEmpty();
    }

    @Test
    void removeSweepRemovesANodeWhoseLastEventIsRemoveEvenIfItLivesAndUpdates() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofMillis(300)));
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(1)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(1)));
        int sweeps = t.sweeps();
        await().atMost(Duration.ofSeconds(5)).until(() -> t.sweeps() > sweeps); // REGISTER events forgotten
        try (RawLine c = new RawLine(t.port())) {
            c.send("RMV@" + a.id());
            assertThat(c.closedWithoutReply()).isTrue();
        }
        b.announce(); // UPT is no sign of life for v0.2
        a.announce();
        await().atMost(Duration.ofSeconds(5)).until(() -> t.removed().contains(a.id()));
        assertThat(t.nodes()).containsExactly(b.id()); // a is alive, yet removed (defect)
    }

    @Test
    void aRegistrationAfterTheRemoveReportCancelsIt() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofMillis(400)));
        try (RawLine c = new RawLine(t.port())) {
            c.send("RMV@10.0.0.7:7000");
            c.closedWithoutReply();
        }
        try (RawLine c = new RawLine(t.port())) {
            assertThat(c.send("REG@10.0.0.7:7000").read()).isEqualTo("REG@10.0.0.7:7000#");
        }
        int sweeps = t.sweeps();
        await().atMost(Duration.ofSeconds(5)).until(() -> t.sweeps() >= sweeps + 2);
        assertThat(t.nodes()).containsExactly("10.0.0.7:7000");
    }

    @Test
    void trackerClosesWithoutReplyOnUnknownEmptyAndOverlongLines() throws IOException {
        V02Tracker t = tracker();
        for (String bad : List.of("HELLO@10.0.0.1:7000@hb", "NACK@why", "hello", "", "UPT")) {
            try (RawLine c = new RawLine(t.port())) {
                assertThat(c.send(bad).closedWithoutReply()).as(bad).isTrue();
            }
        }
        try (RawLine c = new RawLine(t.port())) {
            c.sendRaw("REG@" + "1".repeat(16400) + "\r\n");
            assertThat(c.closedWithoutReply()).isTrue();
        }
        assertThat(t.nodes()).isEmpty();
        assertThat(t.sent()).isEmpty();
    }

    @Test
    void trackerIgnoresUpdatesOfUnregisteredNodesAndClosesAfterUpt() throws IOException {
        V02Tracker t = tracker();
        try (RawLine c = new RawLine(t.port())) {
            c.send("REG@10.0.0.1:7000").read();
        }
        try (RawLine c = new RawLine(t.port())) {
            assertThat(c.send("UPT@10.0.0.2:7000@10.0.0.1:7000@5|").closedWithoutReply())
                    .isTrue();
        }
        try (RawLine c = new RawLine(t.port())) {
            assertThat(c.send("UPT@10.0.0.1:7000@10.0.0.2:7000@0.00001|").closedWithoutReply())
                    .isTrue();
        }
        assertThat(t.linksOf("10.0.0.2:7000")).isEmpty();
        assertThat(t.nodes()).containsExactly("10.0.0.1:7000");
        try (RawLine c = new RawLine(t.port())) {
            assertThat(c.send("REG@10.0.0.3:7000").read())
                    .isEqualTo("REG@10.0.0.1:7000@10.0.0.3:7000#@10.0.0.1:7000@10.0.0.2:7000@1e-05|");
        }
    }

    @Test
    void aLostOutLinkIsReportedToTheTracker() throws Exception {
        V02Tracker t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(1)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(1)));
        assertThat(b.neighbors()).containsExactly(a.id());
        a.close();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(t.received()).contains("RMV@" + a.id()));
        assertThat(b.neighbors()).isEmpty();
    }

    @Test
    void probingTurnsBootDelayIntoMeasuredPythonFloats() throws Exception {
        V02Tracker t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(1)));
        V02Node b =
                closer.track(V02Node.start(t.port(), new Config(1, Duration.ofMillis(100), Duration.ofMillis(150))));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(a.echoLines()).isNotEmpty();
            List<V02Link> l = t.linksOf(b.id());
            assertThat(l).hasSize(1);
            assertThat(l.get(0).cost()).isLessThan(500);
        });
        assertThat(b.sentLines())
                .anyMatch(l -> l.matches("UPT@" + b.id() + "@" + a.id() + "@[0-9.e+-]+\\|") && !l.endsWith("@500|"));
    }
}
