package io.egoist.web.map;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The live map's JSON shapes (snake_case keys, ids as "ip:port", costs in ms). */
public final class MapJson {
    private MapJson() {}

    /** One node: {@code id}, {@code name} (or null), {@code last_seen} (epoch ms, or null), {@code suspect}, {@code dead}, {@code links}. */
    public static Map<String, Object> node(MapView.Node n, Function<NodeId, String> names) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id().toString());
        m.put("name", names.apply(n.id()));
        m.put("last_seen", n.lastSeenMs() >= 0 ? n.lastSeenMs() : null);
        m.put(
                "last_seen_iso",
                n.lastSeenMs() >= 0 ? Instant.ofEpochMilli(n.lastSeenMs()).toString() : null);
        m.put("suspect", n.suspect());
        m.put("dead", n.dead());
        List<Object> links = new ArrayList<>(n.links().size());
        for (Link l : n.links()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("dst", l.dst().toString());
            lm.put("cost", l.cost());
            links.add(lm);
        }
        m.put("links", links);
        return m;
    }

    /** The {@code snapshot} event: {@code mode}, {@code self} (or null) and every node. */
    public static Map<String, Object> snapshot(MapView v, Function<NodeId, String> names) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", v.mode());
        m.put("self", v.self() == null ? null : v.self().toString());
        List<Object> nodes = new ArrayList<>(v.nodes().size());
        for (MapView.Node n : v.nodes()) nodes.add(node(n, names));
        m.put("nodes", nodes);
        return m;
    }

    /**
     * {@code GET /api/layout}: {@code positions} (id to [x, y], in ms of delay: the distance between two points
     * approximates the delay between the nodes) and {@code method} ({@code mds}, or {@code circle} above
     * {@link NetworkCoordinates#MAX_NODES} nodes).
     */
    public static Map<String, Object> layout(MapView v) {
        int n = v.nodes().size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) index.put(v.nodes().get(i).id().toString(), i);
        double[][] xy;
        String method;
        if (n > NetworkCoordinates.MAX_NODES) {
            xy = NetworkCoordinates.circle(n, 100);
            method = "circle";
        } else {
            double[][] costs = new double[n][n];
            for (double[] row : costs) java.util.Arrays.fill(row, Double.NaN);
            for (int i = 0; i < n; i++) {
                for (Link l : v.nodes().get(i).links()) {
                    Integer j = index.get(l.dst().toString());
                    if (j != null && j != i) costs[i][j] = l.cost();
                }
            }
            xy = NetworkCoordinates.place(NetworkCoordinates.overlayDelays(costs));
            method = "mds";
        }
        Map<String, Object> positions = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            positions.put(v.nodes().get(i).id().toString(), new double[] {round(xy[i][0]), round(xy[i][1])});
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("unit", "ms");
        m.put("positions", positions);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
