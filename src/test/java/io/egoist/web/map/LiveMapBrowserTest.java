package io.egoist.web.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeConfig;
import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.tracker.TrackerNode;
import io.egoist.tracker.TrackerSnapshot;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The tracker's live map in a real browser (Debian's headless Chromium over the DevTools protocol): a tracker
 * and four nodes on loopback, the page shows every node and link; a node joining later appears without a
 * reload; two nodes picked show the route between them with its cost; a node that stops is marked dead.
 */
class LiveMapBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration PATIENCE = Duration.ofSeconds(90);

    /** What the page draws: the ids of live nodes, and links as "src>dst". */
    record Drawn(List<String> nodes, List<String> links) {}

    static Drawn drawn(HeadlessChromium b) throws Exception {
        String js = "JSON.stringify({"
                + "nodes: [...document.querySelectorAll('#nodes g.node:not(.dead)')].map(g => g.dataset.id).sort(),"
                + "links: [...document.querySelectorAll('#links line.link')]"
                + ".map(l => l.dataset.src + '>' + l.dataset.dst).sort()})";
        JsonNode j = JSON.readTree(b.eval(js).asText());
        List<String> nodes = new ArrayList<>(), links = new ArrayList<>();
        j.get("nodes").forEach(n -> nodes.add(n.asText()));
        j.get("links").forEach(n -> links.add(n.asText()));
        return new Drawn(nodes, links);
    }

    static Drawn expected(TrackerSnapshot s) {
        TreeSet<String> nodes = new TreeSet<>(), links = new TreeSet<>();
        for (TrackerNode n : s.nodes()) nodes.add(n.id().toString());
        for (TrackerNode n : s.nodes()) {
            for (Link l : n.links()) if (nodes.contains(l.dst().toString())) links.add(n.id() + ">" + l.dst());
        }
        return new Drawn(List.copyOf(nodes), List.copyOf(links));
    }

    static double routeCost(TrackerSnapshot s, NodeId from, NodeId to) {
        List<NodeId> ids = s.ids();
        Graph g = new Graph(ids.size());
        for (TrackerNode n : s.nodes()) {
            for (Link l : n.links()) {
                int j = ids.indexOf(l.dst());
                if (j >= 0) g.setEdge(ids.indexOf(n.id()), j, l.cost());
            }
        }
        return ShortestPaths.distances(g, ids.indexOf(from))[ids.indexOf(to)];
    }

    @Test
    void thePageShowsTheOverlayAndFollowsItLive() throws Exception {
        Optional<Path> chromium = HeadlessChromium.find();
        assumeTrue(
                chromium.isPresent(),
                "no chromium on this machine (Debian's package 'chromium', which .ci/run installs): the browser test"
                        + " of the live map cannot run here");
        LatencyMatrix ripe = LatencyMatrix.ripe();
        LocalOverlay.Settings settings = new LocalOverlay.Settings()
                .matrix(ripe.subset(Demo.spreadOut(ripe, 4)))
                .k(2)
                .seed(3)
                .tuneTracker(c -> c.withHttpPort(0));
        try (LocalOverlay overlay = LocalOverlay.start(settings);
                HeadlessChromium browser = HeadlessChromium.start(chromium.get(), 1200, 800)) {
            var tracker = overlay.tracker();
            overlay.tracker().liveMap().names(overlay::nameOf);
            await().atMost(PATIENCE)
                    .until(() -> tracker.snapshot().nodes().stream()
                            .allMatch(n -> n.links().size() == 2));
            browser.navigate("http://127.0.0.1:" + tracker.httpPort() + "/");
            await().atMost(PATIENCE)
                    .until(() -> browser.eval("document.readyState").asText().equals("complete"));
            browser.eval("window.egoistLoad = 'first'");

            // every node and every link the tracker knows, and nothing else
            await().atMost(PATIENCE).until(() -> drawn(browser).equals(expected(tracker.snapshot())));
            assertThat(drawn(browser).nodes()).hasSize(4);
            assertThat(drawn(browser).links()).hasSize(8);
            assertThat(browser.eval("[...document.querySelectorAll('#links line.link')]"
                                    + ".every(l => l.getAttribute('stroke').startsWith('hsl('))")
                            .asBoolean())
                    .as("links are coloured by cost")
                    .isTrue();
            assertThat(browser.eval("document.getElementById('node-count').textContent")
                            .asText())
                    .isEqualTo("4");

            // a fifth node joins: it appears, with its links, and the page was not reloaded
            NodeConfig cfg = LocalOverlay.shortPeriods(
                            NodeConfig.defaults(new NodeId("127.0.0.1", 1), "127.0.0.1", overlay.trackerPort()))
                    .withK(2);
            try (EgoistNode late = EgoistNode.start(
                    cfg, new EgoistNode.Options().ephemeralPort(true).random(new Random(9)))) {
                String lateId = late.id().toString();
                await().atMost(PATIENCE).until(() -> drawn(browser).nodes().contains(lateId));
                await().atMost(PATIENCE).until(() -> {
                    TrackerSnapshot s = tracker.snapshot();
                    return s.node(late.id()).map(n -> n.links().size() == 2).orElse(false)
                            && drawn(browser).equals(expected(s));
                });
                assertThat(browser.eval("window.egoistLoad").asText()).isEqualTo("first");

                // pick two nodes: the route between them is drawn with its cost
                NodeId from = overlay.node(0).id(), to = overlay.node(3).id();
                browser.eval(click(from, false));
                browser.eval(click(to, true));
                await().atMost(PATIENCE).untilAsserted(() -> {
                    String info = browser.eval("document.getElementById('route-info').textContent")
                            .asText();
                    double cost = routeCost(tracker.snapshot(), from, to);
                    assertThat(info).contains(String.format(java.util.Locale.ROOT, ": %.1f ms", cost));
                    assertThat(browser.eval("document.querySelectorAll('#route polyline.route').length")
                                    .asInt())
                            .isEqualTo(1);
                });
                // the details of a picked node list its links
                assertThat(browser.eval("document.getElementById('details').textContent")
                                .asText())
                        .contains(overlay.nameOf(to))
                        .contains("cost ms");

                // the late node stops: the tracker removes it and the page marks it dead, still without reload
                late.close();
                await().atMost(PATIENCE)
                        .until(() -> browser.eval(
                                        "!!document.querySelector('#nodes g.node.dead[data-id=\"" + lateId + "\"]')")
                                .asBoolean());
                assertThat(browser.eval("window.egoistLoad").asText()).isEqualTo("first");
            }
            // a screenshot for whoever looks at a failed run
            browser.screenshot(Path.of("target", "live-map-test.png"));
        }
    }

    static String click(NodeId id, boolean shift) {
        return "document.querySelector('#nodes g.node[data-id=\"" + id + "\"]')"
                + ".dispatchEvent(new MouseEvent('click', {bubbles: true, shiftKey: " + shift + "}))";
    }
}
