package io.egoist.node.wiring;

import io.egoist.node.NodeContext;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.probe.Peer;
import io.egoist.node.routing.RoutingView;
import io.egoist.sns.Costs;
import io.egoist.sns.ShortestPaths;
import io.egoist.sns.WiringProblem;
import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The wiring's decisions that need no state of their own: whom to add to fill a slot, whom to adopt. */
public final class Choices {
    private static final Logger log = LoggerFactory.getLogger(Choices.class);

    private Choices() {}

    /** The number of candidates (measured live nodes other than self) in {@code pr}. */
    public static int candidates(WiringProblem pr) {
        int c = 0;
        for (int j = 0; j < pr.size(); j++) if (j != pr.self() && !Double.isNaN(pr.direct()[j])) c++;
        return c;
    }

    /**
     * Fills {@code cur} up to {@code want} entries: greedily with the candidate that lowers C_i most (k-random: a
     * random one; k-closest: the closest).
     */
    public static void fill(WiringProblem pr, List<Integer> cur, int want, String policy, Random random) {
        while (cur.size() < want) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            List<Integer> options = new ArrayList<>();
            for (int j = 0; j < pr.size(); j++) {
                if (Double.isNaN(pr.direct()[j]) || cur.contains(j)) continue;
                options.add(j);
            }
            if (options.isEmpty()) break;
            if (policy.equals("k-random")) {
                best = options.get(random.nextInt(options.size()));
            } else if (policy.equals("k-closest")) {
                for (int j : options)
                    if (pr.direct()[j] < bestCost) {
                        bestCost = pr.direct()[j];
                        best = j;
                    }
            } else {
                best = greedyBest(pr, cur, options);
            }
            cur.add(best);
        }
    }

    /**
     * The option w minimising C_i(cur + w): with d_w = Dijkstra from w over G − i, a destination j costs min over
     * s in cur + w of direct[s] + d_s[j] (unreachable: the penalty). One Dijkstra per node involved.
     */
    static int greedyBest(WiringProblem pr, List<Integer> cur, List<Integer> options) {
        int n = pr.size();
        double[] base = new double[n];
        Arrays.fill(base, Double.POSITIVE_INFINITY);
        for (int s : cur) {
            double[] d = ShortestPaths.distances(pr.residual(), s);
            for (int j = 0; j < n; j++) base[j] = Math.min(base[j], pr.direct()[s] + d[j]);
        }
        int best = -1;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int w : options) {
            double[] d = ShortestPaths.distances(pr.residual(), w);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j == pr.self() || Double.isNaN(pr.direct()[j])) continue; // destinations: the measured live nodes
                double v = Math.min(base[j], pr.direct()[w] + d[j]);
                sum += v < Double.POSITIVE_INFINITY ? v : Costs.UNREACHABLE_PENALTY;
            }
            if (sum < bestCost) {
                bestCost = sum;
                best = w;
            }
        }
        return best;
    }

    /**
     * When {@code dead} fails, the out-neighbors it was the only in-link of become unreachable. Every in-neighbor
     * of {@code dead} sees the same picture, so they split those orphans among themselves by their order (instead
     * of all grabbing the same replacement): ours is orphan[our rank mod #orphans]. Empty when there is none.
     */
    public static List<NodeId> orphanShare(
            NodeId self, NodeId dead, LinkStateDb lsdb, Set<NodeId> neighbors, Function<NodeId, Peer> peers) {
        LinkStateDb.SourceState ds = lsdb.get(dead);
        if (ds == null || ds.links().isEmpty()) return List.of();
        List<NodeId> orphans = new ArrayList<>();
        for (Link l : ds.links()) {
            if (RoutingView.down(l)) continue;
            NodeId o = l.dst();
            if (o.equals(self) || neighbors.contains(o)) continue;
            Peer p = peers.apply(o);
            if (p == null || p.dead()) continue;
            boolean otherIn = false;
            for (Map.Entry<NodeId, LinkStateDb.SourceState> e : lsdb.sources().entrySet()) {
                if (e.getKey().equals(dead) || e.getKey().equals(o)) continue;
                Peer sp = peers.apply(e.getKey());
                if (sp != null && sp.dead()) continue;
                for (Link x : e.getValue().links())
                    if (x.dst().equals(o) && !RoutingView.down(x)) {
                        otherIn = true;
                        break;
                    }
                if (otherIn) break;
            }
            if (!otherIn) orphans.add(o);
        }
        if (orphans.isEmpty()) return List.of();
        orphans.sort(NodeContext.ORDER);
        List<NodeId> inNeighbors = new ArrayList<>();
        inNeighbors.add(self);
        for (Map.Entry<NodeId, LinkStateDb.SourceState> e : lsdb.sources().entrySet()) {
            if (e.getKey().equals(dead)) continue;
            Peer sp = peers.apply(e.getKey());
            if (sp == null || sp.dead()) continue;
            for (Link x : e.getValue().links())
                if (x.dst().equals(dead) && !RoutingView.down(x)) {
                    inNeighbors.add(e.getKey());
                    break;
                }
        }
        inNeighbors.sort(NodeContext.ORDER);
        int rank = inNeighbors.indexOf(self);
        List<NodeId> share = new ArrayList<>();
        for (int i = 0; i < orphans.size(); i++) share.add(orphans.get((rank + i) % orphans.size()));
        log.info(
                "event=orphans node={} dead={} orphans={} in_neighbors={} first_pick={}",
                self,
                dead,
                orphans,
                inNeighbors.size(),
                share.get(0));
        return share.subList(0, 1);
    }
}
