package io.egoist.node.routing;

import static io.egoist.node.Parts.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.Effect;
import io.egoist.node.NodeContext;
import io.egoist.node.Parts;
import io.egoist.node.RouteInfo;
import io.egoist.node.data.DataPlane;
import io.egoist.node.links.OutLinks;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.probe.Measurements;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The routing view built from measurements, link state and out-links. */
class RoutingViewTest {
    private final NodeContext ctx = Parts.context(Parts.config(1));
    private final Measurements m = new Measurements(ctx);
    private final LinkStateDb db = new LinkStateDb(ctx);
    private final OutLinks links = new OutLinks(ctx);
    private final RoutingView view = new RoutingView(ctx, m, db, links);

    private void accept(String hash, NodeId src, Link... l) {
        Message.PeerUpdate u = new Message.PeerUpdate(hash, 1, src, List.of(l));
        db.accept(u, WireCodec.encode(u));
    }

    /** Us -> 2 (10 ms, up); 2 -> 3 (5), 2 -> 4 (unreachable cost); 4 speaks no data. */
    private void scenario() {
        for (int i = 2; i <= 4; i++) {
            m.learn(id(i));
            m.onProbeResult(id(i), 50);
        }
        links.add(id(2), 10);
        Effect.Connect c = Parts.ofType(ctx.drain(), Effect.Connect.class).get(0);
        links.connected(links.byConn(c.conn()), List.of());
        db.announce(List.of(new Link(id(1), id(2), 10)));
        accept("a1", id(2), new Link(id(2), id(3), 5), new Link(id(2), id(4), Seed.HUGE_DELAY));
    }

    @Test
    void routesFollowAnnouncedLinksThatAreUpAndNeverADownOne() {
        scenario();
        m.peer(id(2)).features(List.of("hb", "data"));
        ctx.invalidate();
        RouteInfo r = view.route(id(3)).orElseThrow();
        assertThat(r.path()).containsExactly(id(1), id(2), id(3));
        assertThat(r.cost()).isEqualTo(15.0);
        assertThat(view.route(id(4))).isEmpty(); // only link to it is down
        assertThat(view.unreachable()).isEqualTo(1);
        assertThat(view.routes()).extracting(RouteInfo::destination).containsExactlyInAnyOrder(id(2), id(3));
    }

    @Test
    void dataAvoidsNodesThatDoNotSpeakDataAndDeadNodesLeaveTheView() {
        scenario();
        m.peer(id(2)).features(List.of("hb", "data"));
        m.peer(id(3)).features(List.of("hb", "data"));
        ctx.invalidate();
        assertThat(view.hasRoute(id(3))).isTrue();
        m.peer(id(2)).features(List.of());
        ctx.invalidate();
        assertThat(view.hasRoute(id(3))).isFalse(); // its only path runs through a v0.2 node
        assertThat(view.route(id(3))).isEmpty(); // the route shown is the one DATA would take: none
        assertThat(view.onlyThroughLegacy(id(3))).isTrue(); // a send fails at once
        assertThat(view.route(id(2))).isPresent(); // no DATA goes to a v0.2 node: its overlay route is shown
        assertThat(view.standing(id(2))).isEqualTo(DataPlane.Standing.NO_DATA);
        m.onProbeResult(id(3), -1);
        ctx.invalidate();
        assertThat(view.view().indexOf(id(3))).isNull();
        assertThat(view.standing(id(3))).isEqualTo(DataPlane.Standing.DEAD);
    }
}
