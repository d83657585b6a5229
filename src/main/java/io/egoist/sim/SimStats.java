package io.egoist.sim;

import io.egoist.latency.LatencyMatrix;
import io.egoist.sns.Graph;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code egoist sim --stats} figures behind a comparison: the full mesh with and without relaying (what
 * detours are worth), how many pairs have a faster path than their direct link, and for BR's last overlay at
 * every k the mean hop count and per-pair stretch of its paths.
 */
public final class SimStats {
    private SimStats() {}

    /** The figures as a JSON-ready map (keys in print order). */
    public static Map<String, Object> of(LatencyMatrix m, PolicyComparison.Outcome outcome) {
        Map<String, Object> doc = new LinkedHashMap<>();
        double relayed = BestResponseDynamics.meanCost(outcome.fullMesh());
        double direct = OverlayStats.directMean(m);
        LatencyMatrix closure = OverlayStats.metricClosure(m);
        int n = m.size();
        doc.put("full_mesh_mean_cost", relayed);
        doc.put("full_mesh_direct_only_mean_cost", direct);
        doc.put("ordered_pairs", (long) n * (n - 1));
        doc.put("pairs_with_faster_detour", OverlayStats.pairsWithFasterDetour(m, closure));
        List<Map<String, Object>> br = new ArrayList<>();
        for (Map.Entry<Integer, Graph> e : outcome.brOverlays().entrySet()) {
            OverlayStats.PathStats p = OverlayStats.paths(e.getValue(), outcome.fullMesh());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("k", e.getKey());
            row.put("last_round_mean_cost", BestResponseDynamics.meanCost(e.getValue()));
            row.put("mean_hops", p.meanHops());
            row.put("mean_stretch", p.meanStretch());
            row.put("max_stretch", p.maxStretch());
            row.put("unreachable_pairs", p.unreachable());
            br.add(row);
        }
        doc.put("br_paths", br);
        return doc;
    }

    /** The figures as a few readable lines. */
    @SuppressWarnings("unchecked")
    public static void print(PrintWriter out, Map<String, Object> stats) {
        double relayed = (double) stats.get("full_mesh_mean_cost");
        double direct = (double) stats.get("full_mesh_direct_only_mean_cost");
        double saved = 100 * (1 - relayed / direct);
        out.println();
        out.printf(
                Locale.ROOT,
                "full mesh: %.2f ms with relaying, %.2f ms on direct links only (relaying saves %.1f%%); "
                        + "%d of %d ordered pairs have a faster path than the direct link%n",
                relayed,
                direct,
                Math.round(saved * 10) / 10.0, // rounded first: no "-0.0" when relaying saves nothing
                stats.get("pairs_with_faster_detour"),
                stats.get("ordered_pairs"));
        for (Map<String, Object> row : (List<Map<String, Object>>) stats.get("br_paths")) {
            double cost = (double) row.get("last_round_mean_cost");
            out.printf(
                    Locale.ROOT,
                    "br k=%d, last round: mean cost %.2f ms (%.3f x full mesh), mean hops %.2f, stretch per pair "
                            + "mean %.3f max %.2f%s%n",
                    row.get("k"),
                    cost,
                    cost / relayed,
                    (double) row.get("mean_hops"),
                    (double) row.get("mean_stretch"),
                    (double) row.get("max_stretch"),
                    (int) row.get("unreachable_pairs") > 0
                            ? ", unreachable pairs " + row.get("unreachable_pairs")
                            : "");
        }
        out.flush();
    }
}
