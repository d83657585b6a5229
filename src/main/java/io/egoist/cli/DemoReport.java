package io.egoist.cli;

import io.egoist.node.runtime.Demo;
import io.egoist.node.runtime.DemoHops;
import io.egoist.node.runtime.DemoTunnelStreams;
import io.egoist.node.runtime.DemoTunnels;
import io.egoist.web.NodeJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report of {@code egoist demo}: as text, and as the JSON object of {@code --json}. */
final class DemoReport {
    private DemoReport() {}

    static Map<String, Object> toJson(Demo.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("converged", r.converged());
        m.put("convergence_s", r.converged() ? NodeJson.number(r.convergenceSeconds()) : null);
        m.put("nodes", r.nodes());
        m.put("k", r.k());
        m.put("policy", r.policy());
        m.put("mode", r.mode());
        if (r.caDir() != null) m.put("ca_dir", r.caDir());
        m.put("mean_cost_overlay", NodeJson.number(r.meanCostOverlay()));
        m.put("mean_cost_full_mesh", NodeJson.number(r.meanCostFullMesh()));
        m.put("mean_cost_direct", NodeJson.number(r.meanCostDirect()));
        m.put("messages_sent", r.messagesSent());
        m.put("messages_delivered", r.messagesDelivered());
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (Demo.MessageResult x : r.messages()) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("from", x.from());
            mm.put("to", x.to());
            mm.put("from_id", x.fromId().toString());
            mm.put("to_id", x.toId().toString());
            mm.put("delivered", x.delivered());
            mm.put("path", x.path());
            mm.put("route_cost_ms", NodeJson.number(x.routeCostMs()));
            mm.put("measured_rtt_ms", NodeJson.number(x.measuredRttMs()));
            mm.put("direct_rtt_ms", NodeJson.number(x.directRttMs()));
            if (x.error() != null) mm.put("error", x.error());
            msgs.add(mm);
        }
        m.put("messages", msgs);
        List<Map<String, Object>> per = new ArrayList<>();
        for (Demo.NodeResult n : r.perNode()) {
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("name", n.name());
            nm.put("id", n.id().toString());
            nm.put("neighbors", n.neighbors());
            nm.put("cost_overlay", NodeJson.number(n.costOverlay()));
            nm.put("cost_full_mesh", NodeJson.number(n.costFullMesh()));
            nm.put("cost_direct", NodeJson.number(n.costDirect()));
            nm.put("cost_measured", NodeJson.number(n.ownCostMeasured()));
            per.add(nm);
        }
        m.put("per_node", per);
        if (r.crash() != null) {
            Demo.CrashResult c = r.crash();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("mode", c.mode());
            cm.put("victim", c.victim());
            cm.put("victim_id", c.victimId().toString());
            cm.put("affected_pairs", c.pairs());
            cm.put("recovered_pairs", c.pairsRecovered());
            cm.put("recovery_ms", NodeJson.number(c.recoveryMs()));
            cm.put("recovery_sent_ms", NodeJson.number(c.recoverySentMs()));
            cm.put("median_recovery_ms", NodeJson.number(c.medianRecoveryMs()));
            cm.put("tracker_removed", c.trackerRemoved());
            cm.put("tracker_removal_ms", c.trackerRemoved() ? NodeJson.number(c.trackerRemovalMs()) : null);
            m.put("crash", cm);
        }
        if (r.hops() != null) m.put("data_per_hop", hopsJson(r.hops()));
        if (r.tunnels() != null) m.put("tunnels", tunnelsJson(r.tunnels()));
        m.put("elapsed_s", NodeJson.number(r.elapsedSeconds()));
        return m;
    }

    private static Map<String, Object> hopsJson(DemoHops.Result h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("messages", h.samples());
        m.put("hops", h.hops());
        m.put("median_one_way_ms", NodeJson.number(h.medianRttPerHopMs()));
        m.put("median_beyond_emulated_ms", NodeJson.number(h.medianOverheadPerHopMs()));
        m.put("overall_beyond_emulated_ms", NodeJson.number(h.overallOverheadPerHopMs()));
        return m;
    }

    private static Map<String, Object> tunnelsJson(DemoTunnels.Result t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", t.from());
        m.put("to", t.to());
        m.put("from_id", t.fromId().toString());
        m.put("to_id", t.toId().toString());
        m.put("direct_rtt_ms", NodeJson.number(t.directRttMs()));
        if (t.error() != null) {
            m.put("error", t.error());
            return m;
        }
        m.put("route_cost_overlay_ms", NodeJson.number(t.overlayCostMs()));
        m.put("route_cost_best_ms", NodeJson.number(t.bestCostMs()));
        m.put("path_mode", t.pathMode());
        m.put("path_there", t.pathThere());
        m.put("path_back", t.pathBack());
        m.put("relays", t.relays());
        m.put("path_emulated_rtt_ms", NodeJson.number(t.pathEmulatedRttMs()));
        m.put("frames_emulated", true); // frames take the links' emulated delays, like lines
        m.put("udp", seriesJson(t.udp(), t.udpLoopback()));
        m.put("tcp", seriesJson(t.tcp(), t.tcpLoopback()));
        if (t.crash() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("victim", t.crash().victim());
            c.put("victim_id", t.crash().victimId().toString());
            c.put("tunnel_mode", t.crash().tunnelMode());
            c.put("relays", t.crash().relays());
            c.put("udp", stallJson(t.crash().udp()));
            c.put("tcp", stallJson(t.crash().tcp()));
            m.put("crash", c);
        }
        return m;
    }

    private static Map<String, Object> seriesJson(DemoTunnels.Series s, DemoTunnels.Series loopback) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round_trips", s.roundTrips());
        m.put("byte_exact", s.exact());
        m.put("corrupt", s.corrupt());
        m.put("lost", s.lost());
        m.put("median_rtt_ms", NodeJson.number(s.medianMs()));
        m.put("min_rtt_ms", NodeJson.number(s.minMs()));
        m.put("max_rtt_ms", NodeJson.number(s.maxMs()));
        m.put("loopback_median_rtt_ms", NodeJson.number(loopback.medianMs()));
        return m;
    }

    private static Map<String, Object> stallJson(DemoTunnelStreams.Stall s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round_trips", s.roundTrips());
        m.put("byte_exact", s.exact());
        m.put("corrupt", s.corrupt());
        m.put("stall_ms", NodeJson.number(s.stallMs()));
        m.put("recovered", s.recovered());
        if (s.proto().equals("tcp")) {
            m.put("connection_survived", s.connectionSurvived());
            m.put("reopened", s.reopened());
        }
        if (s.note() != null) m.put("note", s.note());
        return m;
    }

    static void print(PrintWriter out, Demo.Result r) {
        out.printf(
                Locale.ROOT,
                "EGOIST demo: %d nodes, k=%d, policy %s — %s%n",
                r.nodes(),
                r.k(),
                r.policy(),
                r.converged()
                        ? String.format(Locale.ROOT, "converged (last re-wiring at %.1f s)", r.convergenceSeconds())
                        : "NOT converged before the deadline");
        out.println(
                r.mode().equals("secure")
                        ? "Mode: secure (mutual TLS 1.3, signed link state, end-to-end DATA; a temporary CA in "
                                + r.caDir() + ", deleted at exit)"
                        : "Mode: open (v0.2, no credentials; --open)");
        out.println();
        out.println("Costs are the mean RTT (ms) from a node to every other node: over the overlay's shortest paths,");
        out.println("over the full mesh's shortest paths (the best any wiring could do), and over the direct paths.");
        out.println();
        out.printf(
                Locale.ROOT,
                "%-6s %-21s %-20s %9s %9s %9s%n",
                "node",
                "id",
                "neighbors",
                "overlay",
                "fullmesh",
                "direct");
        for (Demo.NodeResult n : r.perNode()) {
            out.printf(
                    Locale.ROOT,
                    "%-6s %-21s %-20s %9.1f %9.1f %9.1f%n",
                    n.name(),
                    n.id(),
                    String.join(",", n.neighbors()),
                    n.costOverlay(),
                    n.costFullMesh(),
                    n.costDirect());
        }
        out.printf(
                Locale.ROOT,
                "%-49s %9.1f %9.1f %9.1f%n",
                "mean",
                r.meanCostOverlay(),
                r.meanCostFullMesh(),
                r.meanCostDirect());
        out.println();
        out.printf(
                Locale.ROOT,
                "Test messages: %d sent, %d delivered (route cost = sum of the measured link costs on the path)%n",
                r.messagesSent(),
                r.messagesDelivered());
        out.printf(
                Locale.ROOT,
                "%-6s %-6s %-30s %10s %10s %10s%n",
                "from",
                "to",
                "path",
                "route ms",
                "rtt ms",
                "direct ms");
        for (Demo.MessageResult m : r.messages()) {
            if (m.delivered()) {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-6s %-30s %10.1f %10.1f %10.1f%n",
                        m.from(),
                        m.to(),
                        String.join(">", m.path()),
                        m.routeCostMs(),
                        m.measuredRttMs(),
                        m.directRttMs());
            } else {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-6s %-30s %10s %10s %10.1f%n",
                        m.from(),
                        m.to(),
                        "FAILED: " + m.error(),
                        "-",
                        "-",
                        m.directRttMs());
            }
        }
        if (r.hops() != null && r.hops().samples() > 0) {
            DemoHops.Result h = r.hops();
            out.printf(
                    Locale.ROOT,
                    "%nDATA latency per overlay hop: %.2f ms one-way (median over %d messages, %d hops there and back),"
                            + " of which %.2f ms beyond the emulated RIPE delay (all hops together: %.2f ms per hop)%n",
                    h.medianRttPerHopMs(),
                    h.samples(),
                    h.hops(),
                    h.medianOverheadPerHopMs(),
                    h.overallOverheadPerHopMs());
        }
        if (r.tunnels() != null) printTunnels(out, r.tunnels());
        if (r.crash() != null) {
            Demo.CrashResult c = r.crash();
            out.println();
            out.printf(
                    Locale.ROOT,
                    "Crash (%s): %s (%s); %d/%d affected pairs recovered: every pair had a message acknowledged"
                            + " %.0f ms after the crash (median pair %.0f ms); %s%n",
                    c.mode(),
                    c.victim(),
                    c.victimId(),
                    c.pairsRecovered(),
                    c.pairs(),
                    c.recoveryMs(),
                    c.medianRecoveryMs(),
                    c.trackerRemoved()
                            ? String.format(Locale.ROOT, "tracker removed it after %.0f ms", c.trackerRemovalMs())
                            : "the tracker had not removed it yet");
        }
        out.printf(Locale.ROOT, "%nDone in %.1f s.%n", r.elapsedSeconds());
    }

    private static void printTunnels(PrintWriter out, DemoTunnels.Result t) {
        out.println();
        out.printf(
                Locale.ROOT,
                "Tunnels %s -> %s (the farthest pair: direct RTT %.1f ms)",
                t.from(),
                t.to(),
                t.directRttMs());
        if (t.error() != null) {
            out.printf(Locale.ROOT, ": %s%n", t.error());
            return;
        }
        out.printf(Locale.ROOT, "; route cost overlay %.1f ms, best %.1f ms%n", t.overlayCostMs(), t.bestCostMs());
        if (t.pathMode().equals("unknown")) {
            out.printf(
                    Locale.ROOT,
                    "  frames were relayed by %s%n",
                    t.relays().isEmpty() ? "no node" : String.join(",", t.relays()));
        } else {
            out.printf(
                    Locale.ROOT,
                    "  frames took the %s routes %s there and %s back; those hops' emulated RTT: %.1f ms%n",
                    t.pathMode(),
                    String.join(">", t.pathThere()),
                    String.join(">", t.pathBack()),
                    t.pathEmulatedRttMs());
        }
        out.printf(
                Locale.ROOT,
                "  frames are delayed like lines by the latency emulation: round trip over the tunnel (median) udp %.1f"
                        + " ms, tcp %.1f ms; direct RTT %.1f ms%n",
                t.udp().medianMs(),
                t.tcp().medianMs(),
                t.directRttMs());
        out.printf(
                Locale.ROOT,
                "  %-5s %11s %10s %10s %8s %8s %16s%n",
                "",
                "round trips",
                "byte-exact",
                "median ms",
                "min ms",
                "max ms",
                "no tunnel, ms");
        for (String proto : List.of("udp", "tcp")) {
            DemoTunnels.Series s = proto.equals("udp") ? t.udp() : t.tcp();
            DemoTunnels.Series lo = proto.equals("udp") ? t.udpLoopback() : t.tcpLoopback();
            out.printf(
                    Locale.ROOT,
                    "  %-5s %11d %10d %10.2f %8.2f %8.2f %16.2f%n",
                    proto,
                    s.roundTrips(),
                    s.exact(),
                    s.medianMs(),
                    s.minMs(),
                    s.maxMs(),
                    lo.medianMs());
        }
        DemoTunnelStreams.CrashStall c = t.crash();
        if (c == null) return;
        out.printf(
                Locale.ROOT,
                "  relay %s crashed while both tunnels%s carried round trips every 20 ms:%n",
                c.victim(),
                c.tunnelMode().equals("overlay")
                        ? " (two more forwards in mode overlay, relays " + String.join(",", c.relays())
                                + ": the best routes have none)"
                        : "");
        for (DemoTunnelStreams.Stall s : List.of(c.udp(), c.tcp())) {
            out.printf(
                    Locale.ROOT,
                    "  %-5s longest gap %.0f ms%s; %d/%d round trips byte-exact%s%n",
                    s.proto(),
                    s.stallMs(),
                    s.recovered() ? "" : " (no round trip after the crash)",
                    s.exact(),
                    s.roundTrips(),
                    s.note() == null ? "" : "; " + s.note());
        }
    }
}
