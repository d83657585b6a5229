package io.egoist.compat;

import static io.egoist.compat.OurNodes.id;
import static io.egoist.compat.OurNodes.neighbors;
import static io.egoist.compat.OurNodes.nid;
import static io.egoist.compat.OurNodes.read;
import static io.egoist.compat.OurNodes.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.cli.EgoistCli;
import io.egoist.compat.V02Node.Config;
import io.egoist.compat.V02Node.Reply;
import io.egoist.compat.V02Wire.V02Link;
import io.egoist.node.NodeConfig;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** Our node ({@link EgoistNode}) against a v0.2 tracker ({@link V02Tracker}, re-implemented from the reference). */
class OurNodeWithV02TrackerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Set<String> V02_TRACKER_TYPES = Set.of("REG", "UPT", "RMV");

    @RegisterExtension
    final Closer closer = new Closer();

    private static String type(String line) {
        int at = line.indexOf('@');
        return at < 0 ? line : line.substring(0, at);
    }

    @Test
    void ourNodesJoinAndTheirTrackerUpdatesAreAcceptedByV02() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofSeconds(60)));
        List<EgoistNode> ours = new ArrayList<>();
        for (int i = 0; i < 3; i++) ours.add(closer.track(OurNodes.start(OurNodes.config(t.port(), 2))));

        await().atMost(WAIT).untilAsserted(() -> {
            for (EgoistNode n : ours) {
                assertThat(status(n).phase()).isEqualTo("RUNNING");
                assertThat(neighbors(n)).hasSize(2);
                // the v0.2 tracker parsed our tracker-form UPT and holds exactly our announced links
                List<V02Link> held = t.linksOf(id(n));
                List<Link> announced = OurNodes.announced(n);
                assertThat(held).hasSize(2);
                assertThat(held)
                        .containsExactlyInAnyOrderElementsOf(announced.stream()
                                .map(l ->
                                        new V02Link(l.src().toString(), l.dst().toString(), l.cost()))
                                .toList());
            }
        });
        // every node knows the two others (the last one from the reply, the first ones by flooding)
        for (EgoistNode n : ours) {
            Set<String> known =
                    read(n, c -> c.knownNodes().stream().map(NodeId::toString).collect(Collectors.toSet()));
            assertThat(known)
                    .containsExactlyInAnyOrderElementsOf(
                            ours.stream().filter(o -> o != n).map(OurNodes::id).toList());
        }
        // we only ever sent the v0.2 tracker v0.2 packets, and it never had to drop a line of ours
        assertThat(t.received()).allSatisfy(l -> assertThat(V02_TRACKER_TYPES).contains(type(l)));
        assertThat(t.received()).doesNotContain("<line too long>");

        // a v0.2 node joining now reads our links (as the v0.2 tracker re-prints them) from the reply
        V02Node v = closer.track(V02Node.start(t.port(), Config.of(1)));
        assertThat(v.reply()).isEqualTo(Reply.ONE_LINE);
        for (EgoistNode n : ours) assertThat(v.linksOf(id(n))).hasSize(2);
    }

    @Test
    void ourNodeKeepsTheLinksOfASegmentedV02Reply() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofSeconds(60)));
        V02Crowd crowd = closer.track(new V02Crowd(600));
        List<String> ids = crowd.ids();
        List<V02Link> links = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            V02Link l = new V02Link(ids.get(i), ids.get((i + 1) % ids.size()), 1 + (i % 97) + 0.5);
            links.add(l);
            t.preRegister(ids.get(i), List.of(l));
        }
        NodeConfig cfg = OurNodes.config(t.port(), 2).withPingPeriodMs(10_000);
        EgoistNode n = closer.track(OurNodes.start(cfg));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(OurNodes.knownCount(n)).isEqualTo(600);
        });
        List<String> reply = t.sent();
        assertThat(reply.stream().filter(l -> l.startsWith("OVER")).count()).isGreaterThan(1);
        assertThat(reply.stream().filter(l -> l.startsWith("NET")).count()).isGreaterThan(1);
        // every link of the NET lines is kept (v0.2 itself would have none of them)
        for (V02Link l : links) {
            List<Link> held = OurNodes.links(n, l.src());
            assertThat(held).containsExactly(new Link(nid(l.src()), nid(l.dst()), l.cost()));
        }
        // and the node goes on: wires to two crowd members, whose v0.2 tracker accepts the update
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(status(n).phase()).isEqualTo("RUNNING");
            assertThat(t.linksOf(id(n))).hasSize(2);
        });
        assertThat(crowd.mainLines())
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).matches("(UPT@[0-9a-f]+@[0-9]+@.*|TRD@?)"));
    }

    @Test
    void aRestartedNodeGetsTheEmptyLineKeepsTryingAndJoinsOnceTheV02TrackerForgotIt() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofSeconds(600))); // sweeps only when the test says so
        EgoistNode a = OurNodes.start(OurNodes.config(t.port(), 1));
        EgoistNode b = closer.track(OurNodes.start(OurNodes.config(t.port(), 1)));
        String aid = id(a);
        await().atMost(WAIT)
                .until(() -> neighbors(b).contains(aid) && neighbors(a).contains(id(b)));
        a.close();
        // b lost its out-link to a and reports it, as a v0.2 node would
        await().atMost(WAIT).until(() -> t.received().contains("RMV@" + aid));

        EgoistNode again =
                closer.track(OurNodes.restart(OurNodes.config(t.port(), 1).withSelf(nid(aid))));
        assertThat(id(again)).isEqualTo(aid);
        // the v0.2 tracker still knows the id: every REG gets an empty line; the node keeps asking
        await().atMost(WAIT)
                .until(() ->
                        t.received().stream().filter(("REG@" + aid)::equals).count() >= 3);
        assertThat(status(again).phase()).isEqualTo("JOINING");
        assertThat(t.sent()).contains("");

        t.sweepNow(); // a's last event is b's REMOVE: the v0.2 tracker drops the old registration
        assertThat(t.isRegistered(aid)).isFalse();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(status(again).phase()).isEqualTo("RUNNING");
            assertThat(neighbors(again)).containsExactly(id(b));
            assertThat(t.linksOf(aid)).hasSize(1);
        });
    }
    /** Nobody reports a restarted node without in-neighbors: it reports itself (RMV@self) and rejoins. */
    @Test
    void aRestartedNodeWithoutInNeighborsRemovesItsStaleRegistrationAndRejoins() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofSeconds(600))); // sweeps only when the test says so
        EgoistNode a = OurNodes.start(OurNodes.config(t.port(), 1));
        String aid = id(a);
        await().atMost(WAIT).until(() -> "RUNNING".equals(status(a).phase()));
        a.close();
        EgoistNode again =
                closer.track(OurNodes.restart(OurNodes.config(t.port(), 1).withSelf(nid(aid))));
        // the empty reply to its REG: it reports its own stale registration (nobody else will)
        await().atMost(WAIT).until(() -> t.received().contains("RMV@" + aid));
        assertThat(t.sent()).contains("");
        assertThat(status(again).phase()).isEqualTo("JOINING");
        t.sweepNow();
        assertThat(t.isRegistered(aid)).isFalse();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(t.isRegistered(aid)).isTrue();
            assertThat(status(again).phase()).isEqualTo("RUNNING");
        });
        assertThat(t.received()).allSatisfy(l -> assertThat(V02_TRACKER_TYPES).contains(type(l)));
    }

    /** The real `egoist node` command (in-process, --run-for) against a v0.2 tracker and a v0.2 node. */
    @Test
    void egoistNodeCommandJoinsAV02TrackerAndLinksToAV02Node() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofSeconds(60)));
        V02Node v = closer.track(V02Node.start(t.port(), Config.of(1)));
        CommandLine cl = EgoistCli.newCommandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(
                "node",
                "--tracker",
                "127.0.0.1:" + t.port(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--k",
                "1",
                "--ping-period",
                "0.3",
                "--rewire-period",
                "1",
                "--heartbeat",
                "0.3",
                "--control-port",
                "-1",
                "--run-for",
                "4"));
        await().atMost(WAIT).until(() -> out.toString().startsWith("node="));
        Matcher m = Pattern.compile("node=(127\\.0\\.0\\.1:\\d+) echo_port=(\\d+) .*", Pattern.DOTALL)
                .matcher(out.toString());
        assertThat(m.matches()).as(out.toString()).isTrue();
        String self = m.group(1);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(t.linksOf(self)).extracting(V02Link::dst).containsExactly(v.id());
            assertThat(v.linksOf(self)).extracting(V02Link::dst).containsExactly(v.id());
        });
        assertThat(v.echoLines()).anyMatch(l -> l.startsWith("HELLO@" + self + "@"));
        assertThat(v.mainLines()).allSatisfy(l -> assertThat(l).matches("(UPT@[0-9a-f]+@[0-9]+@.*|TRD@?)"));
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }
}
