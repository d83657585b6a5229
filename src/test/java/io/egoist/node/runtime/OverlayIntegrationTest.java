package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeStatus;
import io.egoist.node.RouteInfo;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.tracker.TrackerNode;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One overlay (a tracker and 8 nodes on loopback, latencies of 8 RIPE countries emulated), exercised in order:
 * convergence, routing, messages, bad peers, a tracker restart, and finally a killed node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayIntegrationTest {
    static final int N = 8;
    static final int K = 3;
    private LocalOverlay overlay;
    private final List<EgoistNode.Received> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startOverlay() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LatencyMatrix m = ripe.subset(Demo.spreadOut(ripe, N));
        overlay = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(m)
                .k(K)
                .seed(7)
                .tune(c -> c.withPingPeriodMs(1_000).withRewirePeriodMs(1_500).withTrackerRefreshMs(2_000)));
        for (EgoistNode n : overlay.nodes()) n.onReceive(received::add);
    }

    @AfterAll
    void stopOverlay() {
        if (overlay != null) overlay.close();
    }

    private List<Integer> live() {
        return overlay.liveIndices();
    }

    /** True when every live node has k connected neighbors and a route to every other live node. */
    private boolean converged() {
        List<Integer> live = live();
        List<NodeStatus> st = overlay.statuses();
        for (int i : live) {
            NodeStatus s = st.get(i);
            long up = s.neighbors().stream()
                    .filter(NodeStatus.Neighbor::connected)
                    .count();
            if (up < Math.min(K, live.size() - 1)) return false;
            List<RouteInfo> routes = overlay.node(i).routes().join();
            for (int j : live) {
                if (j == i) continue;
                NodeId dst = overlay.node(j).id();
                if (routes.stream().noneMatch(r -> r.destination().equals(dst))) return false;
            }
        }
        return true;
    }

    @Test
    @Order(1)
    void overlayConvergesEveryNodeHasKNeighborsAndReachesEveryOther() {
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(300))
                .until(this::converged);
        for (NodeStatus s : overlay.statuses()) {
            assertThat(s.knownNodes()).isEqualTo(N - 1);
            assertThat(s.unreachable()).isZero();
            assertThat(s.neighbors()).hasSize(K);
            assertThat(s.neighbors()).allSatisfy(n -> assertThat(n.features()).contains("hb", "data"));
        }
        // the tracker has every node and its k announced links
        await().atMost(Duration.ofSeconds(10))
                .until(() -> overlay.tracker().snapshot().nodes().size() == N
                        && overlay.tracker().snapshot().nodes().stream()
                                .allMatch(n -> n.links().size() == K));
    }

    /** Dijkstra from node {@code i} over the links every live node currently announces. */
    private Map<NodeId, Double> dijkstraOverAnnounced(int i) {
        List<Integer> live = live();
        Map<NodeId, Integer> index = new HashMap<>();
        for (int x = 0; x < live.size(); x++)
            index.put(overlay.node(live.get(x)).id(), x);
        Graph g = new Graph(live.size());
        for (int x = 0; x < live.size(); x++) {
            List<Link> links =
                    overlay.node(live.get(x)).query(c -> c.announcedLinks()).join();
            for (Link l : links) {
                Integer d = index.get(l.dst());
                if (d != null) g.setEdge(x, d, l.cost());
            }
        }
        double[] dist = ShortestPaths.distances(g, index.get(overlay.node(i).id()));
        Map<NodeId, Double> out = new HashMap<>();
        index.forEach((id, x) -> out.put(id, dist[x]));
        return out;
    }

    private boolean routesMatchDijkstra() {
        for (int i : live()) {
            Map<NodeId, Double> expected = dijkstraOverAnnounced(i);
            List<RouteInfo> routes = overlay.node(i).routes().join();
            if (routes.size() != live().size() - 1) return false;
            for (RouteInfo r : routes) {
                Double e = expected.get(r.destination());
                if (e == null || Math.abs(e - r.cost()) > 1e-6) return false;
                if (!r.path().get(0).equals(overlay.node(i).id())
                        || !r.path().get(r.path().size() - 1).equals(r.destination())) {
                    return false;
                }
                if (!r.nextHop().equals(r.path().get(1))) return false;
            }
        }
        return true;
    }

    @Test
    @Order(2)
    void routesEqualDijkstraOverTheAnnouncedLinks() {
        // views settle between re-wirings and cost updates: wait for a moment when every table matches
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(this::routesMatchDijkstra);
    }

    /**
     * Sends once and waits for the acknowledgement. No retry: a message sent while the overlay re-wires waits at
     * each hop for a route (the node's data hold) instead of being lost, so any loss fails the test.
     */
    private EgoistNode.SendResult send(int from, NodeId to, String text) {
        return overlay.node(from)
                .send(to, text.getBytes(StandardCharsets.UTF_8))
                .orTimeout(15, TimeUnit.SECONDS)
                .join();
    }

    private double routeCost(int from, int to) {
        NodeId dst = overlay.node(to).id();
        return overlay.node(from).route(dst).join().map(RouteInfo::cost).orElse(Double.NaN);
    }

    @Test
    @Order(3)
    void messagesArriveAlongTheRoutesWithRoundTripsMatchingTheRouteCosts() {
        received.clear();
        int checked = 0;
        for (int from = 0; from < N; from += 3) {
            int to = (from + 4) % N;
            String text = "message " + from + "->" + to;
            double there = routeCost(from, to), back = routeCost(to, from);
            EgoistNode.SendResult r = send(from, overlay.node(to).id(), text);
            assertThat(r.path().get(0)).isEqualTo(overlay.node(from).id());
            assertThat(r.path().get(r.path().size() - 1))
                    .isEqualTo(overlay.node(to).id());
            assertThat(r.pathCostMs()).isGreaterThan(0);
            // DATA goes one way along its path, and each hop is delayed by half the hop's RTT in the matrix: the
            // round trip cannot be shorter than that, however fast or slow the machine (no upper bound: a busy
            // machine only adds to it)
            double oneWay = emulatedOneWayMs(r.path());
            assertThat(oneWay).isPositive();
            assertThat(r.rttMs())
                    .as(
                            "rtt of %s (path %s, emulated one way %.1f ms; routes %.1f there, %.1f back)",
                            text, r.path(), oneWay, there, back)
                    .isGreaterThanOrEqualTo(oneWay - 1);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> received.stream()
                            .anyMatch(m -> new String(m.payload(), StandardCharsets.UTF_8).equals(text)));
            EgoistNode.Received got = received.stream()
                    .filter(m -> new String(m.payload(), StandardCharsets.UTF_8).equals(text))
                    .findFirst()
                    .orElseThrow();
            assertThat(got.from()).isEqualTo(overlay.node(from).id());
            assertThat(got.path()).isEqualTo(r.path());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    /** Half the matrix RTT of every hop of {@code path}: the delay the emulation adds to one message along it. */
    private double emulatedOneWayMs(List<NodeId> path) {
        double ms = 0;
        for (int h = 0; h + 1 < path.size(); h++) {
            int a = overlay.indexOf(path.get(h)), b = overlay.indexOf(path.get(h + 1));
            ms += overlay.matrix().rtt(a, b) / 2;
        }
        return ms;
    }

    /** A raw TCP peer for the bad-input tests. */
    private static final class RawPeer implements AutoCloseable {
        final Socket s = new Socket();
        final BufferedReader in;
        final OutputStream out;

        RawPeer(int port) throws Exception {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(3000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out = s.getOutputStream();
        }

        void send(String line) throws Exception {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Lines until the peer closes (or the timeout); "<open>" appended if it did not close. */
        List<String> readUntilClosed() throws Exception {
            List<String> lines = new ArrayList<>();
            try {
                String l;
                while ((l = in.readLine()) != null) lines.add(l);
            } catch (SocketTimeoutException e) {
                lines.add("<open>");
            } catch (java.io.IOException e) {
                // reset: closed
            }
            return lines;
        }

        @Override
        public void close() throws Exception {
            s.close();
        }
    }

    private record Snapshot(List<NodeId> neighbors, int known, List<Link> linksOfOther) {}

    private Snapshot snapshot(int i, NodeId other) {
        return overlay.node(i)
                .query(c -> new Snapshot(c.neighbors(), c.knownNodes().size(), c.linksOf(other)))
                .join();
    }

    @Test
    @Order(4)
    void garbageOverLongAndMalformedLinesFromAPeerGetNackAndCloseAndChangeNothing() throws Exception {
        int victim = 1;
        NodeId other = overlay.node(2).id();
        int port = overlay.node(victim).id().port();
        Snapshot before = snapshot(victim, other);
        int seqBefore = overlay.node(victim).query(c -> c.lastSeq(other)).join();
        int newer = Math.floorMod(seqBefore + 100, 5000); // fresh, so only the content can get these rejected
        NodeId third = overlay.node(3).id();
        String[] bad = {
            "garbage without any delimiter",
            // peer form: UPT@hash@seq@src@dst@cost|@src@dst@cost|... (the first link's src is the source field)
            "UPT@abc1@" + newer + "@" + other + "@" + third + "@5|@10.9.9.9:1@" + third
                    + "@12|", // a link not from the source
            "UPT@abc2@" + newer + "@" + other + "@" + third + "@-5|", // a negative cost
            "UPT@abc3@" + newer + "@" + other + "@" + third + "@NaN|",
            "DATA@x@0@not-an-id@1.2.3.4:5@@AAAA",
        };
        for (String line : bad) {
            // an egoist connector (it heartbeats: HB echoed) is told why: NACK, then close
            try (RawPeer p = new RawPeer(port)) {
                p.send("HB@0");
                p.send(line);
                List<String> answer = p.readUntilClosed();
                assertThat(answer).as("answer to %s", line).hasSizeGreaterThan(1);
                assertThat(answer.get(0)).isEqualTo("HB@0");
                assertThat(answer.get(1)).as("answer to %s", line).startsWith("NACK@");
                assertThat(answer).as("connection closed after %s", line).doesNotContain("<open>");
            }
            // a connector not known to speak extensions (v0.2 never sends HB) is never sent a NACK: just closed
            try (RawPeer p = new RawPeer(port)) {
                p.send(line);
                assertThat(p.readUntilClosed())
                        .as("answer to %s from a v0.2 connector", line)
                        .isEmpty();
            }
        }
        try (RawPeer p = new RawPeer(port)) {
            p.send("HB@1");
            p.out.write(("x".repeat(20_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            p.out.flush();
            List<String> answer = p.readUntilClosed();
            assertThat(answer.get(1)).startsWith("NACK@");
            assertThat(answer).doesNotContain("<open>");
        }
        // a stale update (an old sequence number of a real source) is dropped; the victim handles one
        // connection's lines in order, so the echo of the heartbeat sent after it means the update was handled
        int lastSeq = overlay.node(victim).query(c -> c.lastSeq(other)).join();
        try (RawPeer p = new RawPeer(port)) {
            p.send("HB@2");
            assertThat(p.in.readLine()).isEqualTo("HB@2");
            // well formed (hash@seq@src@dst@cost|), so that only its old sequence number can get it dropped
            p.send("UPT@feedface@" + Math.floorMod(lastSeq - 10, 5000) + "@" + other + "@10.0.0.1:7000@1|");
            p.send("HB@3");
            // on loopback the connector has the source's IP address, so it counts as the source itself: it is
            // told the newer copy we hold (how a restarted node learns where its previous life stopped)
            String copy = p.in.readLine();
            assertThat(copy)
                    .as("the answer to the stale update")
                    .startsWith("UPT@")
                    .contains("@" + other + "@");
            assertThat(Integer.parseInt(copy.split("@")[2])).isNotEqualTo(Math.floorMod(lastSeq - 10, 5000));
            assertThat(p.in.readLine()).as("the line after the stale update").isEqualTo("HB@3");
        }
        Snapshot after = snapshot(victim, other);
        assertThat(after.known()).isEqualTo(before.known());
        int seqAfter = overlay.node(victim).query(c -> c.lastSeq(other)).join();
        assertThat(seqAfter == seqBefore || io.egoist.node.linkstate.SeqNumbers.newer(seqAfter, seqBefore))
                .as("no rejected update was taken: seq %d -> %d", seqBefore, seqAfter)
                .isTrue();
        assertThat(seqAfter).isNotEqualTo(newer);
        assertThat(after.linksOfOther())
                .noneMatch(l -> l.dst().ip().equals("10.0.0.1") || l.dst().ip().equals("10.9.9.9"));
        assertThat(overlay.node(victim).query(c -> c.knownNodes()).join())
                .noneMatch(n -> n.ip().equals("10.0.0.1") || n.ip().equals("10.9.9.9") || n.ip().equals("1.2.3.4"));
        // and everyone is still served
        EgoistNode.SendResult r = send(0, overlay.node(victim).id(), "still fine");
        assertThat(r.path()).endsWith(overlay.node(victim).id());
    }

    @Test
    @Order(5)
    void aTrackerRestartThatForgotEverythingKeepsTheOverlayRoutingAndNodesRegisterAgain() {
        overlay.stopTracker();
        // routing does not need the tracker
        EgoistNode.SendResult during = send(2, overlay.node(6).id(), "no tracker");
        assertThat(during.path()).endsWith(overlay.node(6).id());
        overlay.restartTracker(true);
        // it starts from nothing (nodes may register again at once, so its live node set is no witness)
        assertThat(overlay.tracker().loadedNodes()).isZero();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> overlay.tracker().snapshot().nodes().stream()
                        .map(TrackerNode::id)
                        .toList()
                        .containsAll(
                                live().stream().map(i -> overlay.node(i).id()).toList()));
        EgoistNode.SendResult after = send(6, overlay.node(2).id(), "tracker back");
        assertThat(after.path()).endsWith(overlay.node(2).id());
    }

    @Test
    @Order(6)
    void aKilledNodeIsRoutedAroundAndTheTrackerRemovesIt() {
        // the node with the most in-neighbors: its death matters most
        Map<NodeId, Integer> in = new HashMap<>();
        for (NodeStatus s : overlay.statuses()) {
            if (s == null) continue;
            for (NodeStatus.Neighbor n : s.neighbors()) in.merge(n.node(), 1, Integer::sum);
        }
        NodeId deadId = in.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        int dead = overlay.indexOf(deadId);
        overlay.kill(dead);
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    for (int i : live()) {
                        for (RouteInfo r : overlay.node(i).routes().join()) {
                            if (r.path().contains(deadId)) return false;
                        }
                    }
                    return converged();
                });
        for (int i : live()) {
            int j = live().get((live().indexOf(i) + 1) % live().size());
            assertThat(send(i, overlay.node(j).id(), "around").path()).doesNotContain(deadId);
        }
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> overlay.tracker().snapshot().nodes().stream().noneMatch(n -> n.id().equals(deadId)));
    }
}
