package io.egoist.compat;

import static io.egoist.compat.OurNodes.announced;
import static io.egoist.compat.OurNodes.features;
import static io.egoist.compat.OurNodes.id;
import static io.egoist.compat.OurNodes.links;
import static io.egoist.compat.OurNodes.neighbors;
import static io.egoist.compat.OurNodes.nid;
import static io.egoist.compat.OurNodes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.compat.V02Node.Config;
import io.egoist.compat.V02Wire.V02Link;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.EgoistNode.SendResult;
import io.egoist.runtime.OutboundDelay;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerServer;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our nodes and v0.2 nodes ({@link V02Node}) in one overlay, under a v0.2 tracker ({@link V02Tracker}) or ours.
 *
 * <p>Three nodes of ours (k = 4: each links to every other node) and two v0.2 nodes (k = 3: the three of ours,
 * the first three others of their REG reply). Node o1's traffic to o2 and o3 is delayed by 40 ms each way, so
 * its cheapest paths to them run through a v0.2 node (o1 → v → o3 is ~1 ms, o1 → o3 is ~80 ms). A v0.2 node
 * cannot forward DATA, so the data path must avoid it even though the routing table's shortest path uses it.
 */
class MixedOverlayTest {
    private static final Duration WAIT = Duration.ofSeconds(25);
    private static final double SLOW_MS = 40;

    @TempDir
    Path dir;

    @RegisterExtension
    final Closer closer = new Closer();

    /** A tracker: the v0.2 emulation or ours; returns its port. */
    private int tracker(String kind, AtomicReference<TrackerServer> ours, AtomicReference<V02Tracker> v02)
            throws Exception {
        if (kind.equals("v02")) {
            v02.set(closer.track(V02Tracker.start(Duration.ofSeconds(60))));
            return v02.get().port();
        }
        ours.set(closer.track(
                TrackerServer.start(TrackerConfig.forTest(dir).withHttpPort(-1).withExpireAfterMs(60_000))));
        return ours.get().port();
    }

    @ParameterizedTest(name = "tracker={0}")
    @ValueSource(strings = {"v02", "ours"})
    void ourNodesDetectLinkToAndFloodV02NodesWhileDataAvoidsThem(String trackerKind) throws Exception {
        AtomicReference<TrackerServer> ourTracker = new AtomicReference<>();
        AtomicReference<V02Tracker> v02Tracker = new AtomicReference<>();
        int tp = tracker(trackerKind, ourTracker, v02Tracker);

        EgoistNode o2 = closer.track(OurNodes.start(OurNodes.config(tp, 4)));
        EgoistNode o3 = closer.track(OurNodes.start(OurNodes.config(tp, 4)));
        Set<Integer> slowPorts = Set.of(
                o2.id().port(), o2.id().port() + 1, o3.id().port(), o3.id().port() + 1);
        OutboundDelay slow = (host, port) -> slowPorts.contains(port) ? SLOW_MS : 0;
        EgoistNode o1 = closer.track(OurNodes.start(OurNodes.config(tp, 4), slow));
        List<EgoistNode> ours = List.of(o1, o2, o3);
        // our nodes register asynchronously: the v0.2 nodes come after them in the tracker's node list
        await().atMost(WAIT)
                .until(() ->
                        ours.stream().noneMatch(n -> OurNodes.status(n).phase().equals("JOINING")));
        Config v02 = new Config(3, Duration.ofMillis(200), Duration.ofMillis(300));
        V02Node v1 = closer.track(V02Node.start(tp, v02));
        V02Node v2 = closer.track(V02Node.start(tp, v02));
        List<V02Node> legacy = List.of(v1, v2);
        Set<String> legacyIds = Set.of(v1.id(), v2.id());
        List<CopyOnWriteArrayList<String>> received = new ArrayList<>();
        for (EgoistNode n : ours) {
            CopyOnWriteArrayList<String> got = new CopyOnWriteArrayList<>();
            n.onReceive(m -> got.add(new String(m.payload(), StandardCharsets.UTF_8)));
            received.add(got);
        }

        // the v0.2 nodes chose our nodes (the first three of their reply) and measured them via our echo ports
        for (V02Node v : legacy) assertThat(v.neighbors()).containsExactlyInAnyOrder(id(o1), id(o2), id(o3));
        await().atMost(WAIT).untilAsserted(() -> {
            for (V02Node v : legacy) {
                // three loopback samples in the history (it starts at 500, 500, 500)
                assertThat(v.linksOf(v.id()))
                        .hasSize(3)
                        .allSatisfy(l -> assertThat(l.cost()).isLessThan(20));
            }
        });

        await().atMost(WAIT).untilAsserted(() -> {
            for (EgoistNode n : ours) {
                for (V02Node v : legacy) {
                    // detected as v0.2: its echo port returned our HELLO verbatim
                    assertThat(features(n, v.id())).as("%s sees %s", n.id(), v).isEmpty();
                    // learned the v0.2 node's measured links from its flooded peer UPT
                    assertThat(links(n, v.id()))
                            .hasSize(3)
                            .allSatisfy(l -> assertThat(l.cost()).isLessThan(20));
                }
                for (EgoistNode m : ours) {
                    if (m != n) assertThat(features(n, m.id())).contains("data");
                }
                // linked to every other node, v0.2 ones included
                List<String> others = new ArrayList<>(legacyIds);
                for (EgoistNode m : ours) if (m != n) others.add(id(m));
                assertThat(neighbors(n)).containsExactlyInAnyOrderElementsOf(others);
            }
        });

        // the v0.2 nodes accepted our peer UPTs and hold our announced links
        await().atMost(WAIT).untilAsserted(() -> {
            for (V02Node v : legacy) {
                for (EgoistNode n : ours) {
                    List<Link> announced = announced(n);
                    assertThat(v.linksOf(id(n)))
                            .as("%s holds %s's links", v, n.id())
                            .containsExactlyInAnyOrderElementsOf(announced.stream()
                                    .map(l -> new V02Link(
                                            l.src().toString(), l.dst().toString(), l.cost()))
                                    .toList());
                }
            }
        });
        for (V02Node v : legacy) {
            assertThat(v.echoLines())
                    .as("HELLOs on %s's echo port", v)
                    .anySatisfy(l -> assertThat(l).startsWith("HELLO@" + id(o1) + "@"))
                    .anySatisfy(l -> assertThat(l).startsWith("HELLO@" + id(o3) + "@"));
        }

        // o1's shortest overlay path to o3 runs through a v0.2 node, but DATA must not: it is delivered around it,
        // and the route o1 shows is the one DATA takes
        await().atMost(WAIT).untilAsserted(() -> {
            Optional<RouteInfo> route = route(o1, o3.id());
            assertThat(route).isPresent();
            assertThat(route.get().path().stream().map(NodeId::toString)).doesNotContainAnyElementsOf(legacyIds);
        });
        SendResult r = o1.send(o3.id(), "around the v0.2 node".getBytes(StandardCharsets.UTF_8))
                .get(15, TimeUnit.SECONDS);
        assertThat(r.path()).first().isEqualTo(o1.id());
        assertThat(r.path()).last().isEqualTo(o3.id());
        assertThat(r.path().stream().map(NodeId::toString)).doesNotContainAnyElementsOf(legacyIds);
        assertThat(received.get(2)).contains("around the v0.2 node");
        SendResult back =
                o3.send(o1.id(), "and back".getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
        assertThat(back.path().stream().map(NodeId::toString)).doesNotContainAnyElementsOf(legacyIds);
        assertThat(received.get(0)).contains("and back");

        // a v0.2 node has no data plane: a message to it fails instead of being sent to it
        CompletableFuture<SendResult> toLegacy = o2.send(nid(v1.id()), "x".getBytes(StandardCharsets.UTF_8));
        assertThat(toLegacy).failsWithin(Duration.ofSeconds(15)).withThrowableOfType(ExecutionException.class);

        // the trackers accepted the v0.2 nodes' updates
        if (v02Tracker.get() != null) {
            for (V02Node v : legacy)
                assertThat(v02Tracker.get().linksOf(v.id())).hasSize(3);
        } else {
            await().atMost(WAIT).untilAsserted(() -> {
                for (V02Node v : legacy)
                    assertThat(ourTracker
                                    .get()
                                    .snapshot()
                                    .node(nid(v.id()))
                                    .orElseThrow()
                                    .links())
                            .hasSize(3);
            });
        }

        // nothing but v0.2 packets ever reached a v0.2 node's main port
        for (V02Node v : legacy) {
            assertThat(v.mainLines())
                    .as("lines on %s's main port", v)
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l).matches("(UPT@[0-9a-f]+@[0-9]+@.*|TRD@?)"))
                    .noneMatch(l -> l.startsWith("HB")
                            || l.startsWith("DATA")
                            || l.startsWith("DACK")
                            || l.startsWith("NACK")
                            || l.startsWith("HELLO"));
        }
    }

    @ParameterizedTest(name = "tracker={0}")
    @ValueSource(strings = {"v02", "ours"})
    void aSilentV02InLinkStaysUpAndItsTeardownIsNoFailure(String trackerKind) throws Exception {
        AtomicReference<TrackerServer> ourTracker = new AtomicReference<>();
        AtomicReference<V02Tracker> v02Tracker = new AtomicReference<>();
        int tp = tracker(trackerKind, ourTracker, v02Tracker);
        EgoistNode o = closer.track(OurNodes.start(OurNodes.config(tp, 1)));
        await().atMost(WAIT).until(() -> !OurNodes.status(o).phase().equals("JOINING"));
        // like a real v0.2 node between two REWIRING_PERIODs: one UPT at boot, then nothing on the link
        V02Node v = closer.track(V02Node.start(tp, Config.of(1)));
        assertThat(v.neighbors()).containsExactly(id(o));
        await().atMost(WAIT).until(() -> links(o, v.id()).size() == 1);

        // longer than our heartbeat loss limit (5 x 300 ms): the silent in-link is not taken for a dead one
        await().during(Duration.ofMillis(2_500))
                .atMost(Duration.ofSeconds(10))
                .until(() -> v.neighbors().contains(id(o)) && neighbors(o).contains(v.id()));
        assertThat(v.sentLines()).noneMatch(l -> l.startsWith("RMV"));
        assertThat(v.mainLines()).noneMatch(l -> l.startsWith("HB") || l.startsWith("NACK"));

        // the v0.2 node drops us (TRD@): we close that in-link and report nobody
        v.dropNeighbor(id(o));
        assertThat(v.sentLines()).contains("TRD@");
        await().during(Duration.ofMillis(1_000))
                .atMost(Duration.ofSeconds(10))
                .until(() -> neighbors(o).contains(v.id())
                        && OurNodes.status(o).phase().equals("RUNNING"));
        if (v02Tracker.get() != null) {
            assertThat(v02Tracker.get().received()).noneMatch(l -> l.startsWith("RMV"));
        } else {
            assertThat(ourTracker.get().counters().message("RMV")).isZero();
        }
    }

    @Test
    void updatesOfAV02SourceAreAcceptedAcrossItsSequenceWrap() throws Exception {
        int tp = closer.track(V02Tracker.start(Duration.ofSeconds(60))).port();
        EgoistNode o = closer.track(OurNodes.start(OurNodes.config(tp, 1)));
        await().atMost(WAIT).until(() -> !OurNodes.status(o).phase().equals("JOINING"));
        // a live v0.2 node (k = 0: it links to nobody) whose updates we play by hand
        V02Node v = closer.track(V02Node.start(tp, Config.of(0)));
        String src = v.id();
        String dst = id(o);
        try (RawLine c = new RawLine(o.id().port())) {
            // what a long-lived v0.2 node sends: SHA-1 hashes, seq counting modulo 5000
            c.send("UPT@" + V02Wire.sha1Hex("a") + "@4998@" + src + "@" + dst + "@500|");
            await().atMost(WAIT)
                    .until(() ->
                            links(o, src).size() == 1 && links(o, src).get(0).cost() == 500);
            c.send("UPT@" + V02Wire.sha1Hex("b") + "@3@" + src + "@" + dst + "@35.2034912109|");
            await().atMost(WAIT).until(() -> links(o, src).get(0).cost() == 35.2034912109);
            c.send("UPT@" + V02Wire.sha1Hex("c") + "@4999@" + src + "@" + dst + "@1e-05|"); // older than 3 now
            assertThat(c.stillOpenAfter(500)).isTrue(); // stale, not malformed: no NACK, no close
        }
        assertThat(links(o, src).get(0).cost()).isEqualTo(35.2034912109);
    }
    /**
     * v0.2 announces a self-link after losing a neighbor ({@code …@A@A@500|}): the self-link is ignored, the rest
     * of the update is used and flooded, and the connection stays up (a close would make the v0.2 sender report
     * us dead at its tracker). A second update from the same source goes through on the same connection.
     */
    @Test
    void aV02UpdateWithASelfLinkIsUsedWithoutItAndTheLinkStaysUp() throws Exception {
        V02Tracker t = closer.track(V02Tracker.start(Duration.ofSeconds(60)));
        EgoistNode o = closer.track(OurNodes.start(OurNodes.config(t.port(), 1)));
        await().atMost(WAIT).until(() -> !OurNodes.status(o).phase().equals("JOINING"));
        V02Node v = closer.track(V02Node.start(t.port(), Config.of(0)));
        String src = v.id();
        String dst = id(o);
        try (RawLine c = new RawLine(o.id().port())) {
            c.send("UPT@" + V02Wire.sha1Hex("s1") + "@0@" + src + "@" + src + "@500|@" + src + "@" + dst + "@500|");
            await().atMost(WAIT).until(() -> links(o, src).size() == 1);
            assertThat(links(o, src).get(0).dst()).isEqualTo(nid(dst));
            assertThat(c.stillOpenAfter(500)).isTrue();
            c.send("UPT@" + V02Wire.sha1Hex("s2") + "@1@" + src + "@" + src + "@500|");
            await().atMost(WAIT).until(() -> links(o, src).isEmpty());
            assertThat(c.stillOpenAfter(300)).isTrue();
        }
        assertThat(t.received()).noneMatch(l -> l.startsWith("RMV"));
    }

    /** `egoist node --v02` (features none) looks like a v0.2 node on the wire, to our nodes and to v0.2 ones. */
    @Test
    void anEgoistNodeWithoutExtensionsLooksLikeV02OnTheWire() throws Exception {
        int tp = closer.track(V02Tracker.start(Duration.ofSeconds(60))).port();
        EgoistNode o = closer.track(OurNodes.start(OurNodes.config(tp, 2)));
        EgoistNode q = closer.track(OurNodes.start(OurNodes.config(tp, 2).withFeatures(List.of())));
        await().atMost(WAIT)
                .until(() -> !OurNodes.status(o).phase().equals("JOINING")
                        && !OurNodes.status(q).phase().equals("JOINING"));
        V02Node v = closer.track(V02Node.start(tp, new Config(2, Duration.ofMillis(200), Duration.ofMillis(300))));
        assertThat(v.neighbors()).containsExactlyInAnyOrder(id(o), id(q));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(features(o, q.id())).isEmpty(); // q's echo port returned o's HELLO verbatim
            assertThat(features(o, v.id())).isEmpty();
            assertThat(neighbors(q)).containsExactlyInAnyOrder(id(o), v.id());
            assertThat(v.linksOf(id(q))).hasSize(2);
            assertThat(links(q, v.id())).hasSize(2);
        });
        // q never sent a HELLO (v's echo port saw only o's) and nothing but v0.2 packets reached v's main port
        assertThat(v.echoLines()).noneMatch(l -> l.startsWith("HELLO@" + id(q)));
        assertThat(v.echoLines()).anyMatch(l -> l.startsWith("HELLO@" + id(o) + "@"));
        assertThat(v.mainLines()).allSatisfy(l -> assertThat(l).matches("(UPT@[0-9a-f]+@[0-9]+@.*|TRD@?)"));
        // and o sends q no DATA: q has no data plane
        assertThat(o.send(q.id(), "x".getBytes(StandardCharsets.UTF_8)))
                .failsWithin(Duration.ofSeconds(15))
                .withThrowableOfType(ExecutionException.class);
    }
}
