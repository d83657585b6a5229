package io.egoist.sim.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeCore;
import io.egoist.node.RouteInfo;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.node.runtime.Demo;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Mode best on 24 real node cores under virtual time (24 RIPE countries, k = 3, BR, default periods): every best
 * route costs at most the direct RTT, following the next hops (the source's first hop, then each relay's own
 * overlay route) reaches the destination without a loop, and a message sent in mode best to every other node is
 * delivered along the source's route and acknowledged.
 */
class RouteModeSimulationTest {
    private static final int N = 24;

    @Test
    void everyBestRouteIsAtMostTheDirectRttAndFollowingItsNextHopsDelivers() {
        LatencyMatrix ripe = LatencyMatrix.ripe();
        SimOverlay o = SimOverlay.build(
                ripe.subset(Demo.spreadOut(ripe, N)).toArray(), N, 21, c -> c.withK(3), new VirtualNetwork.Options());
        o.startAll(10_000, new Random(21));
        RouteModeBench.converge(o, 3_600_000);
        int viaOther = 0;
        List<Route> routes = new ArrayList<>();
        for (NodeId a : o.ids()) {
            NodeCore c = o.core(a);
            for (NodeId b : o.ids()) {
                if (a.equals(b)) continue;
                Route best = c.route(b, RouteMode.BEST).orElseThrow();
                Route overlay = c.route(b, RouteMode.OVERLAY).orElseThrow();
                // in the node's own measurements, and at the true RTTs of the matrix
                assertThat(best.directCost()).isCloseTo(o.rtt(a, b), Offset.offset(1e-6));
                assertThat(best.cost()).as("%s->%s", a, b).isLessThanOrEqualTo(best.directCost());
                assertThat(best.cost()).isLessThanOrEqualTo(overlay.cost() + 1e-6);
                assertThat(o.matrixCost(best.path())).isLessThanOrEqualTo(o.rtt(a, b) + 1e-6);
                assertThat(best.path()).first().isEqualTo(a);
                assertThat(best.path()).last().isEqualTo(b);
                assertThat(best.viaOutLink()).isEqualTo(c.neighbors().contains(best.nextHop()));
                if (!best.viaOutLink() && !best.nextHop().equals(b)) viaOther++;
                assertThat(follow(o, best)).isEqualTo(best.path());
                routes.add(best);
            }
        }
        assertThat(viaOther)
                .as("best routes through a first hop that is neither a neighbor nor the destination")
                .isPositive();

        List<VirtualNetwork.DataOutcome> sent = new ArrayList<>();
        for (Route r : routes) {
            sent.add(o.net().sendData(r.path().get(0), r.destination(), "best".getBytes(), RouteMode.BEST));
            o.net().runFor(10);
        }
        o.net().runFor(15_000);
        for (int i = 0; i < sent.size(); i++) {
            VirtualNetwork.DataOutcome x = sent.get(i);
            assertThat(x.acked()).as(x.toString()).isTrue();
            assertThat(x.path()).as(x.toString()).isEqualTo(routes.get(i).path());
        }
        // the sources opened direct links to their non-neighbor first hops, and only to those
        for (NodeId a : o.ids()) {
            Set<NodeId> firstHops = new HashSet<>();
            for (Route r : routes) if (r.path().get(0).equals(a) && !r.viaOutLink()) firstHops.add(r.nextHop());
            assertThat(new HashSet<>(o.core(a).directLinks())).isEqualTo(firstHops);
        }
        assertThat(o.net().violations()).isZero();
    }

    /** The source's first hop, then each relay's next hop on its own overlay route, until the destination. */
    private static List<NodeId> follow(SimOverlay o, Route best) {
        List<NodeId> path = new ArrayList<>(List.of(best.path().get(0), best.nextHop()));
        NodeId at = best.nextHop();
        while (!at.equals(best.destination())) {
            RouteInfo r = o.core(at).route(best.destination()).orElseThrow();
            at = r.nextHop();
            assertThat(path).as("a loop at %s", at).doesNotContain(at);
            path.add(at);
        }
        return path;
    }
}
