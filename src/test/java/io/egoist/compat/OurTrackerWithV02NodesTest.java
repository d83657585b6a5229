package io.egoist.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.cli.EgoistCli;
import io.egoist.compat.V02Node.Config;
import io.egoist.compat.V02Node.Reply;
import io.egoist.compat.V02Wire.V02Link;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerNode;
import io.egoist.tracker.TrackerServer;
import io.egoist.tracker.TrackerSnapshot;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tracker ({@link TrackerServer}) serving v0.2 nodes ({@link V02Node}, re-implemented from the v0.2
 * reference): an unmodified v0.2 node must work against it.
 */
class OurTrackerWithV02NodesTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Closer closer = new Closer();

    private TrackerServer tracker() {
        return closer.track(
                TrackerServer.start(TrackerConfig.forTest(dir).withHttpPort(-1).withExpireAfterMs(60_000)));
    }

    /** For tests that also play many fake nodes (10.x ids) from 127.0.0.1: the source checks off. */
    private TrackerServer trackerAllowingForeignIds() {
        return closer.track(TrackerServer.start(TrackerConfig.forTest(dir)
                .withHttpPort(-1)
                .withExpireAfterMs(60_000)
                .withAllowForeignIds(true)));
    }

    private static Optional<TrackerNode> node(TrackerServer t, String id) {
        return t.snapshot().node(NodeId.parse(id));
    }

    private static List<V02Link> v02(List<Link> links) {
        return links.stream()
                .map(l -> new V02Link(l.src().toString(), l.dst().toString(), l.cost()))
                .toList();
    }

    @Test
    void v02NodesRegisterLinkAndAnnounce() throws IOException {
        TrackerServer t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node c = closer.track(V02Node.start(t.port(), Config.of(2)));

        assertThat(a.reply()).isEqualTo(Reply.ONE_LINE);
        assertThat(a.replyLines()).containsExactly("REG@" + a.id() + "#");
        assertThat(c.reply()).isEqualTo(Reply.ONE_LINE);
        assertThat(c.knownNodes()).containsExactly(a.id(), b.id(), c.id());
        assertThat(c.neighbors()).containsExactly(a.id(), b.id());

        // the v0.2 tracker-form UPT (costs "500") is accepted: the tracker holds c's and b's links
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(v02(node(t, c.id()).orElseThrow().links()))
                    .containsExactly(new V02Link(c.id(), a.id(), 500), new V02Link(c.id(), b.id(), 500));
            assertThat(v02(node(t, b.id()).orElseThrow().links())).containsExactly(new V02Link(b.id(), a.id(), 500));
        });
        // the next v0.2 node reads those links out of the one-line reply
        V02Node d = closer.track(V02Node.start(t.port(), Config.of(2)));
        assertThat(d.reply()).isEqualTo(Reply.ONE_LINE);
        assertThat(d.linksOf(c.id()))
                .containsExactly(new V02Link(c.id(), a.id(), 500), new V02Link(c.id(), b.id(), 500));
        assertThat(d.linksOf(b.id())).containsExactly(new V02Link(b.id(), a.id(), 500));
        // the bare UPT of the link-less first node and everything else was taken without a NACK
        assertThat(t.counters().nacks()).isEmpty();
    }

    @Test
    void measuredPythonFloatCostsAreAccepted() {
        TrackerServer t = tracker();
        V02Node a = closer.track(startQuietly(t, Config.of(1)));
        V02Node b = closer.track(startQuietly(t, new Config(1, Duration.ofMillis(100), Duration.ofMillis(150))));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Link> l = node(t, b.id()).orElseThrow().links();
            assertThat(l).hasSize(1);
            assertThat(l.get(0).dst().toString()).isEqualTo(a.id());
            assertThat(l.get(0).cost()).isLessThan(500); // a measured mean, written like 333.350227356
        });
        assertThat(b.sentLines()).anyMatch(s -> s.matches("UPT@" + b.id() + "@" + a.id() + "@[0-9]+\\.[0-9]+\\|"));
        assertThat(t.counters().nacks()).isEmpty();
    }

    @Test
    void segmentedReplyForMoreThan500NodesIsReadByTheV02Rules() throws IOException {
        TrackerServer t = trackerAllowingForeignIds();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(2)));
        List<String> fake = new ArrayList<>();
        for (int i = 0; i < 600; i++) fake.add("10.1." + (i / 200) + "." + (i % 200 + 1) + ":7000");
        for (String id : fake) {
            try (RawLine c = new RawLine(t.port())) {
                assertThat(c.send("REG@" + id).read()).isNotNull();
            }
        }
        for (int i = 0; i < fake.size(); i++) {
            String id = fake.get(i);
            try (RawLine c = new RawLine(t.port())) {
                c.send("UPT@" + id + "@" + fake.get((i + 1) % fake.size()) + "@" + (10 + i) + ".25|@" + id + "@"
                        + a.id() + "@7|");
                assertThat(c.closedWithoutReply()).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> t.snapshot().linkCount() == 1 + 1200);

        TrackerSnapshot snap = t.snapshot(); // what the reply to n is built from
        V02Node n = closer.track(V02Node.start(t.port(), Config.of(2)));

        assertThat(n.reply()).isEqualTo(Reply.SEGMENTED);
        List<String> lines = n.replyLines();
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(V02Wire.PKT_LIMIT));
        assertThat(lines).noneMatch(l -> l.contains("#"));
        int over = (int) lines.stream().takeWhile(l -> l.startsWith("OVER")).count();
        assertThat(over).isGreaterThan(1);
        assertThat(lines.subList(0, over - 1)).allSatisfy(l -> assertThat(l).endsWith("SEG"));
        assertThat(lines.get(over - 1)).doesNotEndWith("SEG");
        List<String> net = lines.subList(over, lines.size());
        assertThat(net).allSatisfy(l -> assertThat(l).startsWith("NET"));
        assertThat(net.subList(0, net.size() - 1)).allSatisfy(l -> assertThat(l).endsWith("SEG"));
        assertThat(net.get(net.size() - 1)).doesNotEndWith("SEG");

        // the v0.2 node gets the whole node list (and, by its defect, none of the links)...
        assertThat(n.knownNodes()).hasSize(603).containsAll(fake).contains(a.id(), b.id(), n.id());
        List<String> expected =
                new ArrayList<>(snap.ids().stream().map(NodeId::toString).toList());
        expected.add(n.id());
        assertThat(n.knownNodes()).containsExactlyInAnyOrderElementsOf(expected);
        // ...picks its neighbors from it the v0.2 way and announces them to our tracker
        assertThat(n.neighbors()).containsExactly(a.id(), b.id());
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(node(t, n.id()).orElseThrow().links()).hasSize(2));
        // the NET lines carry every link in the v0.2 form: concatenated bodies without SEG parse with float()
        StringBuilder body = new StringBuilder();
        for (String l : net) {
            String s = l.substring(3);
            body.append(s.endsWith("SEG") ? s.substring(0, s.length() - 3) : s);
        }
        List<V02Link> all = new ArrayList<>();
        for (TrackerNode tn : snap.nodes()) all.addAll(v02(tn.links()));
        assertThat(V02Wire.parseLinks(body.toString())).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void restartedV02NodeGetsAFullReplyToItsSecondRegistration() throws IOException {
        TrackerServer t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(2)));
        V02Node c = closer.track(V02Node.start(t.port(), Config.of(2)));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> node(t, b.id()).orElseThrow().links().size() == 1);
        int port = c.mainPort();
        c.close();

        V02Node again = closer.track(V02Node.listen(t.port(), Config.of(2), port));
        again.join();
        assertThat(again.id()).isEqualTo(c.id());
        assertThat(again.reply()).isEqualTo(Reply.ONE_LINE); // v0.2 would have sent an empty line
        assertThat(again.knownNodes()).containsExactly(a.id(), b.id(), c.id());
        assertThat(again.linksOf(b.id())).containsExactly(new V02Link(b.id(), a.id(), 500));
        assertThat(again.neighbors()).containsExactly(a.id(), b.id());
        assertThat(t.snapshot().ids()).hasSize(3);
    }

    @Test
    void removeReportOfALiveV02NodeIsRefutedByItsEchoPort() throws IOException {
        TrackerServer t = tracker();
        V02Node a = closer.track(V02Node.start(t.port(), Config.of(1)));
        V02Node b = closer.track(V02Node.start(t.port(), Config.of(1)));
        V02Node gone = closer.track(V02Node.start(t.port(), Config.of(1)));
        gone.close();
        for (V02Node target : List.of(a, gone)) {
            try (RawLine c = new RawLine(t.port())) {
                assertThat(c.send("RMV@" + target.id()).closedWithoutReply()).isTrue();
            }
        }
        // the dead one goes at a sweep; the live one answered the tracker's probe on its echo port and stays
        await().atMost(Duration.ofSeconds(10)).until(() -> node(t, gone.id()).isEmpty());
        assertThat(a.echoLines()).isNotEmpty();
        long sweepsWorth = 3 * t.config().removePeriodMs();
        await().during(Duration.ofMillis(sweepsWorth))
                .atMost(Duration.ofMillis(sweepsWorth + 5_000))
                .until(() -> node(t, a.id()).isPresent());
        assertThat(node(t, a.id()).orElseThrow().suspect()).isFalse();
        assertThat(t.snapshot().ids().stream().map(NodeId::toString)).containsExactly(a.id(), b.id());
        // a v0.2 node only ever gets REG replies from the tracker; the probe came on its echo port
        assertThat(a.mainLines()).noneMatch(l -> l.startsWith("NACK") || l.startsWith("HB") || l.startsWith("HELLO"));
    }

    private static String regReply(int port, String id) throws IOException {
        try (RawLine r = new RawLine(port)) {
            return r.send("REG@" + id).read();
        }
    }

    private static V02Node startQuietly(TrackerServer t, Config cfg) {
        try {
            return V02Node.start(t.port(), cfg);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
    /** The real `egoist tracker` command in its own process, with v0.2 nodes as its only clients. */
    @Test
    void egoistTrackerCommandServesV02Nodes() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EgoistCli.class.getName(),
                        "tracker",
                        "--port",
                        "0",
                        "--http-port",
                        "-1",
                        "--bind",
                        "127.0.0.1",
                        "--data",
                        dir.toString(),
                        "--remove-period",
                        "0.5",
                        "--ping-timeout",
                        "0.3")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader stdout =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = stdout.readLine();
            Matcher m = Pattern.compile("egoist tracker listening on 127\\.0\\.0\\.1:(\\d+) .*")
                    .matcher(String.valueOf(line));
            assertThat(m.matches()).as(String.valueOf(line)).isTrue();
            int port = Integer.parseInt(m.group(1));

            V02Node a = closer.track(V02Node.start(port, Config.of(2)));
            V02Node b = closer.track(V02Node.start(port, Config.of(2)));
            assertThat(b.reply()).isEqualTo(Reply.ONE_LINE);
            assertThat(b.neighbors()).containsExactly(a.id());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                V02Node c = V02Node.listen(port, Config.of(0), 0);
                try (c) {
                    c.join();
                    assertThat(c.linksOf(b.id())).containsExactly(new V02Link(b.id(), a.id(), 500));
                }
            });
            // a removal report of a live v0.2 node is refuted by its echo port
            try (RawLine r = new RawLine(port)) {
                assertThat(r.send("RMV@" + a.id()).closedWithoutReply()).isTrue();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.echoLines().isEmpty());
            // over several 0.5 s sweeps, a stays in the overlay (asked with the REG of an observer id, which
            // our tracker answers in full every time)
            await().during(Duration.ofMillis(1_500))
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> regReply(port, "127.0.0.1:7998").contains("@" + a.id() + "@"));
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
