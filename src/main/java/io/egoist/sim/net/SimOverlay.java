package io.egoist.sim.net;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.node.RouteInfo;
import io.egoist.sns.Graph;
import io.egoist.sns.ShortestPaths;
import io.egoist.tracker.TrackerConfig;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * An overlay of n {@link NodeCore}s plus the tracker in a {@link VirtualNetwork}, with the checks the tests
 * and the benchmark need (everyone wired, everyone reaches everyone, routes = Dijkstra over the announced
 * links). Node i is {@code 10.0.(i / 200).(i % 200 + 1):7000} and sits on matrix row {@code i % rows}.
 */
public final class SimOverlay {
    public static final String TRACKER_IP = "10.255.255.1";

    private final VirtualNetwork net;
    private final List<NodeId> ids = new ArrayList<>();
    private final double[][] rtt;

    private SimOverlay(VirtualNetwork net, double[][] rtt) {
        this.net = net;
        this.rtt = rtt;
    }

    /**
     * Builds (does not start) n nodes over {@code matrix} (rows tiled when n exceeds its size, see
     * {@link #tile}), each configured by {@code configure} applied to the defaults.
     */
    public static SimOverlay build(
            double[][] matrix, int n, long seed, UnaryOperator<NodeConfig> configure, VirtualNetwork.Options options) {
        double[][] rtt = tile(matrix, n, 5.0);
        SimOverlay o = new SimOverlay(new VirtualNetwork(rtt, seed, options), rtt);
        TrackerConfig tc = TrackerConfig.defaults()
                .withBindHost("127.0.0.1")
                .withPort(Seed.BOOTSTRAP_PORT)
                .withHttpPort(-1);
        o.net.addTracker(TRACKER_IP, Seed.BOOTSTRAP_PORT, tc);
        for (int i = 0; i < n; i++) {
            NodeId id = nodeId(i);
            o.ids.add(id);
            o.net.addNode(configure.apply(NodeConfig.defaults(id, TRACKER_IP, Seed.BOOTSTRAP_PORT)), i);
        }
        return o;
    }

    public static SimOverlay ripe(int n, long seed, UnaryOperator<NodeConfig> configure) {
        return build(LatencyMatrix.ripe().toArray(), n, seed, configure, new VirtualNetwork.Options());
    }

    public static NodeId nodeId(int i) {
        return new NodeId("10.0." + (i / 200) + "." + (i % 200 + 1), 7000);
    }

    /**
     * An n x n matrix from {@code base}: node i takes row {@code i % m}; two nodes on the same row (same
     * country) are {@code sameRowMs} apart.
     */
    public static double[][] tile(double[][] base, int n, double sameRowMs) {
        int m = base.length;
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) r[i][j] = 0;
                else if (i % m == j % m) r[i][j] = sameRowMs;
                else r[i][j] = base[i % m][j % m];
            }
        }
        return r;
    }

    /** Starts every node at a random time within the first {@code spreadMs}. */
    public void startAll(long spreadMs, Random random) {
        for (NodeId id : ids)
            net.startNode(id, net.now() + (spreadMs <= 0 ? 0 : (long) (random.nextDouble() * spreadMs)));
    }

    public VirtualNetwork net() {
        return net;
    }

    public List<NodeId> ids() {
        return List.copyOf(ids);
    }

    public NodeCore core(NodeId id) {
        return net.core(id);
    }

    public double rtt(NodeId a, NodeId b) {
        return net.rtt(a, b);
    }

    // ------------------------------------------------------------------------------------ checks

    /** Live nodes with fewer than min(k, live - 1) out-neighbors, or a neighbor that is not live. */
    public List<String> wiringProblems() {
        List<NodeId> live = net.liveNodes();
        List<String> problems = new ArrayList<>();
        for (NodeId id : live) {
            NodeCore c = net.core(id);
            List<NodeId> nb = c.neighbors();
            int want = Math.min(c.config().k(), live.size() - 1);
            if (nb.size() < want) problems.add(id + " has " + nb.size() + " neighbors " + nb);
            if (nb.size() > c.config().k()) problems.add(id + " has more than k neighbors " + nb);
            for (NodeId n : nb) {
                if (n.equals(id)) problems.add(id + " links to itself");
                if (!net.isUp(n)) problems.add(id + " links to dead " + n);
            }
        }
        return problems;
    }

    /** The graph of every live node's announced links (index = position in {@link #liveIndex}). */
    public Graph announcedGraph(Map<NodeId, Integer> index) {
        Graph g = new Graph(index.size());
        for (Map.Entry<NodeId, Integer> e : index.entrySet()) {
            for (Link l : net.core(e.getKey()).announcedLinks()) {
                Integer d = index.get(l.dst());
                if (d != null) g.setEdge(e.getValue(), d, l.cost());
            }
        }
        return g;
    }

    public Map<NodeId, Integer> liveIndex() {
        Map<NodeId, Integer> index = new HashMap<>();
        for (NodeId id : net.liveNodes()) index.put(id, index.size());
        return index;
    }

    /** Ordered live pairs (a, b) where a has no route to b in the announced overlay. */
    public List<String> unreachablePairs() {
        Map<NodeId, Integer> index = liveIndex();
        Graph g = announcedGraph(index);
        List<String> out = new ArrayList<>();
        for (Map.Entry<NodeId, Integer> a : index.entrySet()) {
            double[] d = ShortestPaths.distances(g, a.getValue());
            for (Map.Entry<NodeId, Integer> b : index.entrySet()) {
                if (!a.getKey().equals(b.getKey()) && !(d[b.getValue()] < Double.POSITIVE_INFINITY)) {
                    out.add(a.getKey() + "->" + b.getKey());
                }
            }
        }
        return out;
    }

    /**
     * Live nodes whose routing table disagrees with Dijkstra over the announced links of all live nodes:
     * a missing or extra destination, a different cost, or a path that is not a path of that cost.
     */
    public List<String> routeMismatches() {
        Map<NodeId, Integer> index = liveIndex();
        Graph g = announcedGraph(index);
        List<String> out = new ArrayList<>();
        for (Map.Entry<NodeId, Integer> a : index.entrySet()) {
            double[] d = ShortestPaths.distances(g, a.getValue());
            Map<NodeId, RouteInfo> routes = new HashMap<>();
            for (RouteInfo r : net.core(a.getKey()).overlayRoutes()) {
                if (index.containsKey(r.destination())) routes.put(r.destination(), r);
            }
            for (Map.Entry<NodeId, Integer> b : index.entrySet()) {
                if (a.getKey().equals(b.getKey())) continue;
                double want = d[b.getValue()];
                RouteInfo r = routes.get(b.getKey());
                if (!(want < Double.POSITIVE_INFINITY)) {
                    if (r != null) out.add(a.getKey() + "->" + b.getKey() + " has a route but none exists");
                    continue;
                }
                if (r == null) {
                    out.add(a.getKey() + "->" + b.getKey() + " no route (want " + want + ")");
                    continue;
                }
                if (Math.abs(r.cost() - want) > 1e-6) {
                    out.add(a.getKey() + "->" + b.getKey() + " cost " + r.cost() + " want " + want);
                    continue;
                }
                double sum = 0;
                for (int i = 0; i + 1 < r.path().size(); i++) {
                    Integer u = index.get(r.path().get(i));
                    Integer v = index.get(r.path().get(i + 1));
                    double w = u == null || v == null ? Double.NaN : g.weight(u, v);
                    if (Double.isNaN(w)) {
                        sum = Double.NaN;
                        break;
                    }
                    sum += w;
                }
                if (!(Math.abs(sum - want) <= 1e-6))
                    out.add(a.getKey() + "->" + b.getKey() + " path " + r.path() + " not a path of cost " + want);
            }
        }
        return out;
    }

    /** The cost of a path over the announced links (NaN if a hop is not an announced link). */
    public double pathCost(List<NodeId> path) {
        double sum = 0;
        for (int i = 0; i + 1 < path.size(); i++) {
            double c = Double.NaN;
            for (Link l : net.core(path.get(i)).announcedLinks()) if (l.dst().equals(path.get(i + 1))) c = l.cost();
            if (Double.isNaN(c)) return Double.NaN;
            sum += c;
        }
        return sum;
    }

    /** The sum of the matrix RTTs along a path (what the packets actually experience, x2 for one way). */
    public double matrixCost(List<NodeId> path) {
        double sum = 0;
        for (int i = 0; i + 1 < path.size(); i++) sum += rtt(path.get(i), path.get(i + 1));
        return sum;
    }
}
