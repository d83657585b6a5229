package io.egoist.web;

import io.egoist.node.NodeStatus;
import io.egoist.node.RouteInfo;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The control API's JSON shapes (snake_case keys, ids as "ip:port", costs in ms). */
public final class NodeJson {
    private NodeJson() {}

    public static Map<String, Object> status(NodeStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id().toString());
        m.put("phase", s.phase());
        m.put("policy", s.policy());
        m.put("k", s.k());
        List<Map<String, Object>> ns = new ArrayList<>();
        for (NodeStatus.Neighbor n : s.neighbors()) {
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("id", n.node().toString());
            nm.put("cost_ms", number(n.cost()));
            nm.put("connected", n.connected());
            nm.put("features", n.features());
            ns.add(nm);
        }
        m.put("neighbors", ns);
        m.put("known_nodes", s.knownNodes());
        m.put("own_cost_ms", number(s.ownCost()));
        m.put("unreachable", s.unreachable());
        m.put("features", s.features());
        return m;
    }

    public static Map<String, Object> route(RouteInfo r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", r.destination().toString());
        m.put("next_hop", r.nextHop().toString());
        m.put("path", ids(r.path()));
        m.put("cost_ms", number(r.cost()));
        return m;
    }

    /** A route in one mode: as {@link #route(RouteInfo)} plus the mode, the direct RTT and the first hop's link. */
    public static Map<String, Object> route(io.egoist.node.routing.Route r) {
        Map<String, Object> m = route(r.info());
        m.put("mode", r.mode().label());
        m.put("direct_ms", number(r.directCost()));
        m.put("first_hop", r.viaOutLink() ? "out-link" : "direct-link");
        return m;
    }

    public static Map<String, Object> routes(NodeId self, List<RouteInfo> routes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", self.toString());
        List<Map<String, Object>> rs = new ArrayList<>();
        for (RouteInfo r : routes) rs.add(route(r));
        m.put("routes", rs);
        return m;
    }

    public static Map<String, Object> sent(EgoistNode.SendResult r, int bytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to", r.to().toString());
        m.put("bytes", bytes);
        m.put("path", ids(r.path()));
        m.put("hops", Math.max(0, r.path().size() - 1));
        m.put("route_cost_ms", number(Double.isNaN(r.pathCostMs()) ? r.routeCostMs() : r.pathCostMs()));
        m.put("rtt_ms", round(r.rttMs()));
        return m;
    }

    public static List<String> ids(List<NodeId> ids) {
        List<String> out = new ArrayList<>(ids.size());
        for (NodeId n : ids) out.add(n.toString());
        return out;
    }

    /** A cost for JSON: rounded to 0.001 ms; null when not a finite number. */
    public static Double number(double v) {
        return Double.isFinite(v) ? round(v) : null;
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
