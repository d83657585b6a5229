package io.egoist.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.runtime.LocalOverlay;
import io.egoist.web.ControlApi;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * docs/METRICS.md and deploy/grafana/egoist-dashboard.json against what a real tracker and a real node export:
 * /metrics is scraped over HTTP from a small overlay (a tracker and three nodes on loopback, after traffic and one
 * rejected line), and every metric family, its type and its labels must be in the doc, and the doc must list no
 * other; every metric the dashboard queries must exist.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsDocTest {
    static final Path DOC = Path.of("docs", "METRICS.md");
    static final Path DASHBOARD = Path.of("deploy", "grafana", "egoist-dashboard.json");

    /** One metric family as exported: type and label names. */
    record Family(String type, Set<String> labels) {}

    private LocalOverlay overlay;
    private ControlApi control;
    private Map<String, Family> exported;

    @BeforeAll
    void scrape() throws Exception {
        overlay = LocalOverlay.start(new LocalOverlay.Settings()
                .matrix(LatencyMatrix.ripe().subset(0, 10, 20))
                .k(1)
                .emulate(false)
                .tune(c -> c.withPingPeriodMs(300).withRewirePeriodMs(300))
                .tuneTracker(c -> c.withHttpPort(0)));
        control = ControlApi.start(overlay.node(0), "127.0.0.1", 0, null);
        // traffic: every node wired and routing (link state flooded, probes answered)
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        overlay.nodes().stream().allMatch(n -> n.routes().join().size() == 2));
        // one rejected line, so that the NACK counter exists
        try (Socket s = new Socket("127.0.0.1", overlay.trackerPort())) {
            OutputStream o = s.getOutputStream();
            o.write("BOGUS@1.2.3.4:5\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
        String tracker = get("http://127.0.0.1:" + overlay.tracker().httpPort() + "/metrics");
        String node = get("http://127.0.0.1:" + control.port() + "/metrics");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "metrics-scrape.txt"), tracker + "\n" + node);
        exported = new TreeMap<>();
        exported.putAll(families(tracker));
        exported.putAll(families(node));
    }

    @AfterAll
    void stop() {
        if (control != null) control.close();
        if (overlay != null) overlay.close();
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** Families of a Prometheus text exposition: name from "# TYPE", label names from the samples. */
    static Map<String, Family> families(String text) {
        Map<String, Family> out = new TreeMap<>();
        Pattern type = Pattern.compile("# TYPE (\\S+) (\\S+)");
        Pattern sample = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+.*");
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        String current = null;
        for (String line : text.split("\n")) {
            Matcher t = type.matcher(line);
            if (t.matches()) {
                current = t.group(1);
                out.put(current, new Family(t.group(2), new TreeSet<>()));
                continue;
            }
            if (line.startsWith("#") || line.isBlank()) continue;
            Matcher s = sample.matcher(line);
            assertThat(s.matches()).as(line).isTrue();
            String name = s.group(1);
            String family = name.equals(current) || name.startsWith(current + "_") ? current : name;
            Family f = out.get(family);
            assertThat(f).as("sample without # TYPE: " + line).isNotNull();
            if (s.group(2) != null) {
                Matcher l = label.matcher(s.group(2));
                while (l.find()) f.labels().add(l.group(1));
            }
        }
        return out;
    }

    /** The doc's metric tables: rows "| `name` | type | labels | meaning |". */
    static Map<String, Family> documented() throws Exception {
        Map<String, Family> out = new TreeMap<>();
        Pattern row = Pattern.compile("\\|\\s*`(egoist_[a-z_]+)`\\s*\\|\\s*(\\w+)\\s*\\|([^|]*)\\|.*");
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            Matcher m = row.matcher(line.strip());
            if (!m.matches()) continue;
            Set<String> labels = new TreeSet<>();
            Matcher l = Pattern.compile("`([a-z_]+)`").matcher(m.group(3));
            while (l.find()) labels.add(l.group(1));
            assertThat(out.put(m.group(1), new Family(m.group(2), labels)))
                    .as("listed twice: " + m.group(1))
                    .isNull();
        }
        return out;
    }

    @Test
    void theDocListsExactlyTheExportedMetricsWithTheirTypesAndLabels() throws Exception {
        Map<String, Family> doc = documented();
        assertThat(exported).as("exported metric families").isNotEmpty();
        assertThat(exported.keySet())
                .anyMatch(n -> n.startsWith("egoist_tracker_"))
                .anyMatch(n -> n.startsWith("egoist_node_"));
        assertThat(doc.keySet()).as("metrics in " + DOC).isEqualTo(exported.keySet());
        for (Map.Entry<String, Family> e : exported.entrySet()) {
            assertThat(doc.get(e.getKey())).as(e.getKey() + " in " + DOC).isEqualTo(e.getValue());
        }
    }

    @Test
    void everyMetricTheDashboardQueriesExists() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dash.path("title").asText()).isNotBlank();
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dash.path("panels")) {
            for (JsonNode t : panel.path("targets")) exprs.add(t.path("expr").asText());
        }
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(6).doesNotContain("");
        Set<String> samples = new TreeSet<>();
        for (Map.Entry<String, Family> e : exported.entrySet()) {
            samples.add(e.getKey());
            if (e.getValue().type().equals("counter")) samples.add(e.getKey() + "_total");
        }
        Set<String> used = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b(egoist_[a-z_]+)\\b");
        for (String expr : exprs) {
            Matcher m = metric.matcher(expr);
            while (m.find()) used.add(m.group(1));
        }
        assertThat(samples).as("metrics that exist").containsAll(used);
        // what the dashboard is for: size, update and REG rates, NACKs, re-wirings, link state, route costs
        assertThat(used)
                .contains(
                        "egoist_tracker_nodes",
                        "egoist_tracker_links",
                        "egoist_tracker_messages_total",
                        "egoist_tracker_nacks_total",
                        "egoist_node_rewirings_total",
                        "egoist_node_messages_total",
                        "egoist_node_own_cost_ms");
        assertThat(String.join("\n", exprs)).contains("type=\"REG\"", "type=\"UPT\"", "by (reason)");
    }
}
