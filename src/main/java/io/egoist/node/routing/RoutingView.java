package io.egoist.node.routing;

import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.RouteInfo;
import io.egoist.node.data.DataPlane;
import io.egoist.node.links.DirectLinks;
import io.egoist.node.links.OutLink;
import io.egoist.node.links.OutLinks;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.probe.Measurements;
import io.egoist.node.probe.Peer;
import io.egoist.sns.Costs;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.sns.WiringProblem;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place the routing view is built from: the link-state database (the others' links, our announced
 * links), the measurements (who is alive, the direct costs) and the out-links (which of our links are up).
 * Rebuilt lazily when the context's generation moved. Also the wiring problem handed to the policy.
 */
public final class RoutingView implements DataPlane.Network {
    /**
     * A link cost at or above this (ms) means "unreachable": the link is down. v0.2 announces such costs for a
     * neighbor whose probes fail (HUGE_DELAY, or the mean of three samples with one HUGE_DELAY among them, about
     * HUGE_DELAY / 3 = 3.07e18); 1e15 ms (31,000 years) is far above any real delay and far below those. Such
     * links are accepted in updates (no NACK) but never routed over.
     */
    public static final double UNREACHABLE_COST = 1e15;

    private final NodeContext ctx;
    private final Measurements measurements;
    private final LinkStateDb lsdb;
    private final OutLinks links;
    /** Where best-mode first hops that are not neighbors are carried; null: only out-link first hops. */
    private final DirectLinks direct;

    private View view;
    private long builtAt = -1;
    private BestRoutes best;
    private long bestBuiltAt = -1;

    public RoutingView(NodeContext ctx, Measurements measurements, LinkStateDb lsdb, OutLinks links) {
        this(ctx, measurements, lsdb, links, null);
    }

    public RoutingView(
            NodeContext ctx, Measurements measurements, LinkStateDb lsdb, OutLinks links, DirectLinks direct) {
        this.ctx = ctx;
        this.measurements = measurements;
        this.lsdb = lsdb;
        this.links = links;
        this.direct = direct;
    }

    /** A link announced with an "unreachable" cost (v0.2's HUGE_DELAY): down, never routed over. */
    public static boolean down(Link l) {
        return l.cost() >= UNREACHABLE_COST;
    }

    /** The current view (rebuilt if anything changed since the last build). */
    public View view() {
        if (view == null || builtAt != ctx.generation()) {
            view = build();
            builtAt = ctx.generation();
        }
        return view;
    }

    private View build() {
        NodeId self = ctx.self();
        List<NodeId> ids = new ArrayList<>();
        ids.add(self);
        for (Peer p : measurements.all()) if (!p.dead()) ids.add(p.id());
        ids.sort(NodeContext.ORDER);
        Map<NodeId, Integer> index = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) index.put(ids.get(i), i);
        int selfIdx = index.get(self);
        int n = ids.size();
        Graph residual = new Graph(n);
        for (int i = 0; i < n; i++) {
            if (i == selfIdx) continue;
            LinkStateDb.SourceState s = lsdb.get(ids.get(i));
            if (s == null) continue;
            for (Link l : s.links()) {
                if (down(l)) continue;
                Integer d = index.get(l.dst());
                if (d != null && d != i) residual.setEdge(i, d, l.cost());
            }
        }
        Graph full = residual.copy();
        for (Link l : lsdb.ownLinks()) {
            Integer d = index.get(l.dst());
            OutLink ol = links.upLink(l.dst());
            if (d != null && ol != null) full.setEdge(selfIdx, d, l.cost());
        }
        return new View(ids, index, selfIdx, residual, full, measurements::peer, links::isNeighbor);
    }

    /** The problem handed to the policy, over the view's index (self + known live nodes). */
    public WiringProblem problem() {
        View v = view();
        int n = v.ids().size();
        double[] direct = new double[n];
        for (int j = 0; j < n; j++) {
            if (j == v.selfIdx()) {
                direct[j] = Double.NaN;
                continue;
            }
            Peer p = measurements.peer(v.ids().get(j));
            direct[j] = p != null && p.candidate() ? p.cost() : Double.NaN;
        }
        List<Integer> cur = new ArrayList<>();
        for (NodeId nb : links.neighbors()) {
            Integer j = v.indexOf(nb);
            if (j != null && !Double.isNaN(direct[j])) cur.add(j);
        }
        int[] current = cur.stream().mapToInt(Integer::intValue).toArray();
        return WiringProblem.delay(v.selfIdx(), ctx.cfg().k(), direct, v.residual(), current);
    }

    /** The out-link of the first hop on the data-plane shortest path to {@code dst}, or null. */
    public OutLink dataNextHop(NodeId dst) {
        View v = view();
        Integer j = v.indexOf(dst);
        if (j == null) return null;
        int[] path = v.dataTree().pathTo(j);
        if (path.length < 2) return null;
        return links.upLink(v.ids().get(path[1]));
    }

    /** C_i of our current wiring over the current view (NaN with no neighbors). */
    public double ownCost() {
        WiringProblem pr = problem();
        return pr.current().length == 0 ? Double.NaN : Costs.cost(pr, pr.current());
    }

    /** How many known live nodes have no route. */
    public int unreachable() {
        View v = view();
        int n = 0;
        for (int j = 0; j < v.ids().size(); j++) {
            if (j != v.selfIdx() && !(v.tree().dist()[j] < Double.POSITIVE_INFINITY)) n++;
        }
        return n;
    }

    /**
     * The routing table: to every reachable known live node, the path DATA takes (over nodes that speak the data
     * extension only); to a node without the data extension, which no DATA ever goes to, the overlay's shortest
     * path.
     */
    public List<RouteInfo> routes() {
        View v = view();
        List<RouteInfo> r = new ArrayList<>();
        for (int j = 0; j < v.ids().size(); j++) {
            if (j == v.selfIdx()) continue;
            RouteInfo ri = v.route(j, treeFor(v, j));
            if (ri != null) r.add(ri);
        }
        return r;
    }

    public Optional<RouteInfo> route(NodeId destination) {
        View v = view();
        Integer j = v.indexOf(destination);
        if (j == null || j == v.selfIdx()) return Optional.empty();
        return Optional.ofNullable(v.route(j, treeFor(v, j)));
    }

    /** The overlay's shortest paths over the whole view (v0.2 nodes included), whatever DATA can use. */
    public List<RouteInfo> overlayRoutes() {
        View v = view();
        List<RouteInfo> r = new ArrayList<>();
        for (int j = 0; j < v.ids().size(); j++) {
            if (j == v.selfIdx()) continue;
            RouteInfo ri = v.route(j, v.tree());
            if (ri != null) r.add(ri);
        }
        return r;
    }

    /** The tree the route to node index {@code j} is read from: the data tree unless DATA cannot go there. */
    private ShortestPaths.Tree treeFor(View v, int j) {
        if (!ctx.cfg().supports(NodeConfig.FEATURE_DATA)) return v.tree();
        return legacy(measurements.peer(v.ids().get(j))) ? v.tree() : v.dataTree();
    }

    /** Known not to speak the data extension (a v0.2 node, or ours without extensions). */
    public static boolean legacy(Peer p) {
        return p != null && p.features() != null && !p.features().contains(NodeConfig.FEATURE_DATA);
    }

    /**
     * The route for traffic this node originates to {@code destination} in {@code mode} (empty: none now). Mode
     * {@link RouteMode#OVERLAY} is the data plane's shortest overlay path; {@link RouteMode#BEST} also weighs
     * sending straight to the destination or to any measured node first ({@link SourceRoutes}).
     */
    public Optional<Route> route(NodeId destination, RouteMode mode) {
        View v = view();
        Integer j = v.indexOf(destination);
        if (j == null || j == v.selfIdx()) return Optional.empty();
        if (mode == RouteMode.OVERLAY) {
            RouteInfo ri = v.route(j, v.dataTree());
            if (ri == null) return Optional.empty();
            double d = measurements.measuredCost(destination);
            return Optional.of(new Route(mode, destination, ri.nextHop(), ri.path(), ri.cost(), d, true));
        }
        if (best == null || bestBuiltAt != ctx.generation()) {
            best = SourceRoutes.bestRoutes(v, measurements::peer);
            bestBuiltAt = ctx.generation();
        }
        return SourceRoutes.best(v, best, j, measurements::peer, links::upLink, direct != null);
    }

    // ---- the data plane's network ----

    @Override
    public boolean hasRoute(NodeId dst, RouteMode mode) {
        return (mode == RouteMode.BEST && route(dst, mode).isPresent()) || hasRoute(dst);
    }

    @Override
    public boolean sendFromSource(NodeId dst, String line, RouteMode mode) {
        if (mode == RouteMode.BEST) {
            Route r = route(dst, mode).orElse(null);
            if (r != null) {
                OutLink up = links.upLink(r.nextHop());
                if (up != null) {
                    links.send(up, line);
                    return true;
                }
                if (direct != null && direct.send(r.nextHop(), line)) return true;
            }
        }
        return sendTowards(dst, line); // overlay mode, or no direct link to be had: the overlay route
    }

    @Override
    public boolean hasRoute(NodeId dst) {
        return dataNextHop(dst) != null;
    }

    @Override
    public boolean sendTowards(NodeId dst, String line) {
        OutLink next = dataNextHop(dst);
        if (next == null) return false;
        links.send(next, line);
        return true;
    }

    @Override
    public boolean onlyThroughLegacy(NodeId dst) {
        View v = view();
        Integer j = v.indexOf(dst);
        if (j == null || !(v.tree().dist()[j] < Double.POSITIVE_INFINITY)) return false;
        if (v.dataTree().pathTo(j).length >= 2 || !links.allConnected()) return false;
        for (NodeId n : links.neighbors()) {
            Peer p = measurements.peer(n);
            if (p == null || p.features() == null) return false; // a link of ours is not settled yet
        }
        return true;
    }

    @Override
    public DataPlane.Standing standing(NodeId dst) {
        Peer p = measurements.peer(dst);
        if (p == null) return DataPlane.Standing.UNKNOWN;
        if (p.dead()) return DataPlane.Standing.DEAD;
        boolean data = p.features() == null || p.features().contains(NodeConfig.FEATURE_DATA);
        return data ? DataPlane.Standing.OK : DataPlane.Standing.NO_DATA;
    }
}
