package io.egoist.node.routing;

import static io.egoist.node.Parts.id;
import static io.egoist.node.Parts.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.Effect;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.node.Parts;
import io.egoist.node.links.DirectLinks;
import io.egoist.node.links.OutLinks;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.probe.Measurements;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routes in mode best and overlay, and how a best-mode first hop is carried. */
class RoutingViewBestModeTest {
    private final NodeContext ctx = Parts.context(Parts.config(1));
    private final Measurements m = new Measurements(ctx);
    private final LinkStateDb db = new LinkStateDb(ctx);
    private final OutLinks links = new OutLinks(ctx);
    private final List<String> rerouted = new ArrayList<>();
    private final DirectLinks direct = new DirectLinks(ctx, rerouted::addAll);
    private final RoutingView view = new RoutingView(ctx, m, db, links, direct);

    private void accept(String hash, NodeId src, Link... l) {
        Message.PeerUpdate u = new Message.PeerUpdate(hash, 1, src, List.of(l));
        db.accept(u, WireCodec.encode(u));
    }

    private void measure(int node, double rtt) {
        m.learn(id(node));
        m.onProbeResult(id(node), rtt);
        m.peer(id(node)).features(List.of("hb", "data"));
    }

    /**
     * Us -> 2 (our only out-link, 10 ms); 2 -> 3 (200), 3 -> 4 (200), 5 -> 4 (10). Measured from us: 2 10 ms,
     * 3 100 ms, 4 300 ms, 5 40 ms.
     */
    private void scenario() {
        measure(2, 10);
        measure(3, 100);
        measure(4, 300);
        measure(5, 40);
        links.add(id(2), 10);
        Effect.Connect c = ofType(ctx.drain(), Effect.Connect.class).get(0);
        links.connected(links.byConn(c.conn()), List.of());
        db.announce(List.of(new Link(id(1), id(2), 10)));
        accept("a2", id(2), new Link(id(2), id(3), 200));
        accept("a3", id(3), new Link(id(3), id(4), 200));
        accept("a5", id(5), new Link(id(5), id(4), 10));
        ctx.invalidate();
        ctx.drain();
    }

    @Test
    void overlayModeIsThePapersRoutingOverOurOutLinks() {
        scenario();
        Route r = view.route(id(4), RouteMode.OVERLAY).orElseThrow();
        assertThat(r.path()).containsExactly(id(1), id(2), id(3), id(4));
        assertThat(r.cost()).isEqualTo(410.0);
        assertThat(r.directCost()).isEqualTo(300.0);
        assertThat(r.viaOutLink()).isTrue();
        assertThat(r.info()).isEqualTo(view.route(id(4)).orElseThrow());
    }

    @Test
    void bestModeTakesACheaperNonNeighborFirstHopOrTheDirectPath() {
        scenario();
        Route viaFive = view.route(id(4), RouteMode.BEST).orElseThrow();
        assertThat(viaFive.path()).containsExactly(id(1), id(5), id(4));
        assertThat(viaFive.cost()).isEqualTo(50.0);
        assertThat(viaFive.nextHop()).isEqualTo(id(5));
        assertThat(viaFive.viaOutLink()).isFalse();
        Route direct3 = view.route(id(3), RouteMode.BEST).orElseThrow();
        assertThat(direct3.path()).containsExactly(id(1), id(3)); // straight there: 100 < 10 + 200
        assertThat(direct3.cost()).isEqualTo(100.0).isEqualTo(direct3.directCost());
        Route toNeighbor = view.route(id(2), RouteMode.BEST).orElseThrow();
        assertThat(toNeighbor.path()).containsExactly(id(1), id(2));
        assertThat(toNeighbor.viaOutLink()).isTrue();
        assertThat(view.route(id(1), RouteMode.BEST)).isEmpty();
        assertThat(view.route(id(9), RouteMode.BEST)).isEmpty();
    }

    @Test
    void aFirstHopMustSpeakDataAndWithoutDirectLinksOnlyOutLinksAreFirstHops() {
        scenario();
        m.peer(id(5)).features(List.of()); // a v0.2 node: neither a first hop nor a relay for data
        ctx.invalidate();
        assertThat(view.route(id(4), RouteMode.BEST).orElseThrow().path()).containsExactly(id(1), id(4));
        m.peer(id(5)).features(List.of("hb", "data"));
        ctx.invalidate();
        RoutingView noDirect = new RoutingView(ctx, m, db, links);
        assertThat(noDirect.route(id(4), RouteMode.BEST).orElseThrow().path())
                .containsExactly(id(1), id(2), id(3), id(4));
    }

    @Test
    void aBestModeSendOpensADirectLinkToTheFirstHopAndSendsOnceItIsUp() {
        scenario();
        assertThat(view.hasRoute(id(4), RouteMode.BEST)).isTrue();
        assertThat(view.sendFromSource(id(4), "DATA-LINE", RouteMode.BEST)).isTrue();
        List<Effect> out = ctx.drain();
        Effect.Connect c = ofType(out, Effect.Connect.class).get(0);
        assertThat(c.host() + ":" + c.port()).isEqualTo(id(5).toString());
        assertThat(ofType(out, Effect.Send.class)).isEmpty(); // waits for the connection
        direct.onConnected(c.conn());
        assertThat(ofType(ctx.drain(), Effect.Send.class)).containsExactly(new Effect.Send(c.conn(), "DATA-LINE"));
        assertThat(view.sendFromSource(id(4), "SECOND", RouteMode.BEST)).isTrue();
        assertThat(ctx.drain()).containsExactly(new Effect.Send(c.conn(), "SECOND")); // the same link, reused
        // overlay mode goes over the out-link to 2
        assertThat(view.sendFromSource(id(4), "OVERLAY", RouteMode.OVERLAY)).isTrue();
        Effect.Send s = ofType(ctx.drain(), Effect.Send.class).get(0);
        assertThat(s.conn()).isEqualTo(links.upLink(id(2)).conn());
    }

    @Test
    void whenNoDirectLinkCanBeOpenedTheSourceFallsBackToTheOverlayRoute() {
        scenario();
        for (int i = 0; i < DirectLinks.MAX_LINKS; i++)
            assertThat(direct.send(new NodeId("10.3.0." + (i + 1), 7000), "x")).isTrue();
        assertThat(direct.send(new NodeId("10.3.1.1", 7000), "x")).isFalse();
        ctx.drain();
        assertThat(view.sendFromSource(id(4), "LINE", RouteMode.BEST)).isTrue();
        assertThat(ofType(ctx.drain(), Effect.Send.class))
                .containsExactly(new Effect.Send(links.upLink(id(2)).conn(), "LINE"));
    }

    @Test
    void aFailedDirectLinkHandsItsWaitingLinesBackAndAnIdleOneIsClosed() {
        scenario();
        view.sendFromSource(id(4), "L1", RouteMode.BEST);
        view.sendFromSource(id(4), "L2", RouteMode.BEST);
        Effect.Connect c = ofType(ctx.drain(), Effect.Connect.class).get(0);
        assertThat(direct.onTimer(NodeTimers.DIRECT_CONNECT + c.conn().value())).isTrue(); // not up in time
        assertThat(rerouted).containsExactly("L1", "L2");
        assertThat(ctx.drain()).contains(new Effect.Close(c.conn()));
        assertThat(direct.size()).isZero();

        view.sendFromSource(id(4), "L3", RouteMode.BEST);
        Effect.Connect c2 = ofType(ctx.drain(), Effect.Connect.class).get(0);
        direct.onConnected(c2.conn());
        ctx.drain();
        String idle = NodeTimers.DIRECT_IDLE + c2.conn().value();
        Parts.at(ctx, ctx.now() + DirectLinks.IDLE_CLOSE_MS / 2);
        view.sendFromSource(id(4), "L4", RouteMode.BEST); // used again: the idle check moves on
        ctx.drain();
        Parts.at(ctx, ctx.now() + DirectLinks.IDLE_CLOSE_MS / 2);
        direct.onTimer(idle);
        assertThat(ctx.drain()).containsExactly(new Effect.SetTimer(idle, ctx.now() + DirectLinks.IDLE_CLOSE_MS / 2));
        Parts.at(ctx, ctx.now() + DirectLinks.IDLE_CLOSE_MS / 2);
        direct.onTimer(idle);
        assertThat(ctx.drain()).contains(new Effect.Close(c2.conn()));
        assertThat(direct.peers()).isEmpty();
    }
}
