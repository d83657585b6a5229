package io.egoist.node.links;

import static io.egoist.node.Parts.id;
import static io.egoist.node.Parts.lines;
import static io.egoist.node.Parts.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeTimers;
import io.egoist.node.Parts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Out-links alone: connect deadlines, queued lines, make before break, heartbeats. */
class OutLinksTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);
    private final OutLinks links = new OutLinks(ctx);

    private ConnId add(int n, double rtt) {
        links.add(id(n), rtt);
        return ofType(ctx.drain(), Effect.Connect.class).get(0).conn();
    }

    @Test
    void aNewLinkHasAConnectDeadlineOfThreeRttsAndAtLeastOneSecond() {
        links.add(id(2), 800);
        List<Effect> e = ctx.drain();
        Effect.Connect c = ofType(e, Effect.Connect.class).get(0);
        assertThat(c.port()).isEqualTo(7000);
        assertThat(ofType(e, Effect.SetTimer.class))
                .containsExactly(new Effect.SetTimer(NodeTimers.connect(c.conn()), ctx.now() + 2_400));
        links.add(id(3), 10);
        assertThat(ofType(ctx.drain(), Effect.SetTimer.class).get(0).atMillis()).isEqualTo(ctx.now() + 1_000);
        assertThat(links.onConnectTimer(NodeTimers.connect(c.conn()))).isEqualTo(id(2));
    }

    @Test
    void linesWaitUntilTheLinkIsUpAndGoOutAfterTheCatchUp() {
        ConnId c = add(2, 10);
        links.send(links.neighbor(id(2)), "UPT@x");
        assertThat(ctx.drain()).isEmpty();
        assertThat(links.upLink(id(2))).isNull();
        links.connected(links.byConn(c), List.of("UPT@catchup"));
        assertThat(lines(ctx.drain())).containsExactly("UPT@catchup", "UPT@x");
        assertThat(links.upLink(id(2))).isNotNull();
        assertThat(links.onConnectTimer(NodeTimers.connect(c))).isNull();
    }

    @Test
    void aRetiringLinkStaysUpUntilItsReplacementIsUpThenIsTornDown() {
        ConnId old = add(2, 10);
        links.connected(links.byConn(old), List.of());
        links.retire(id(2));
        ConnId fresh = add(3, 10);
        ctx.drain();
        assertThat(links.neighbors()).containsExactly(id(3));
        assertThat(links.upLink(id(2))).isNotNull(); // still routed over
        assertThat(links.allConnected()).isFalse();
        links.connected(links.byConn(fresh), List.of());
        assertThat(links.flood("UPT@y", null)).isEqualTo(2);
        ctx.drain();
        links.finishRetiring();
        List<Effect> e = ctx.drain();
        assertThat(e).containsExactly(new Effect.Send(old, "TRD@"), new Effect.Close(old));
        assertThat(links.upLink(id(2))).isNull();
    }

    @Test
    void heartbeatsGoToPeersThatSpeakHbAndASilentOneIsLost() {
        ConnId c2 = add(2, 10);
        ConnId c3 = add(3, 10);
        links.connected(links.byConn(c2), List.of());
        links.connected(links.byConn(c3), List.of());
        ctx.drain();
        assertThat(links.onHeartbeatTimer(n -> n.equals(id(2)))).isEmpty();
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, Effect.Send.class)).extracting(Effect.Send::conn).containsExactly(c2);
        long limit = cfg.heartbeatMisses() * cfg.heartbeatPeriodMs();
        Parts.at(ctx, ctx.now() + limit + 1);
        assertThat(links.onHeartbeatTimer(n -> n.equals(id(2)))).containsExactly(id(2));
        assertThat(links.onLine(links.byConn(c3), "TRD@")).isEqualTo(OutLinks.LineKind.TEARDOWN);
    }
}
