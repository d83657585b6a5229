package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.routing.Route;
import io.egoist.node.routing.RouteMode;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DATA in mode best through the whole core: a direct link to a non-neighbor first hop, its failures. */
class NodeBestModeTest {
    private static final NodeId SELF = id(1);

    /** Us (1) with out-links to 3 (10 ms) and 4 (20 ms); 2 measured at 50 ms, 5 at 80; 3 links to 2 at 100 ms. */
    private static Driver wired() {
        Driver d = new Driver(Driver.config(1).withK(2).withPolicy("k-closest"));
        double[] rtt = {50, 10, 20, 80};
        for (int i = 0; i < 4; i++) {
            d.rtts.put(id(i + 2), rtt[i]);
            d.features.put(id(i + 2), List.of("hb", "data"));
        }
        d.join(List.of(id(2), id(3), id(4), id(5)), List.of());
        d.advance(600);
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        d.on(new Event.LineReceived(in, Driver.update("ab01", 1, id(3), 100, id(2))));
        return d;
    }

    private static Message.Data data(String line) {
        return (Message.Data) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
    }

    private static List<String> dataLinesOn(Driver d, ConnId c) {
        return d.linesOn(c).stream().filter(l -> l.startsWith("DATA@")).toList();
    }

    @Test
    void theRouteInEachMode() {
        Driver d = wired();
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(3), id(4));
        Route best = d.core.route(id(2), RouteMode.BEST).orElseThrow();
        assertThat(best.path()).containsExactly(SELF, id(2));
        assertThat(best.cost()).isEqualTo(50.0);
        assertThat(best.viaOutLink()).isFalse();
        Route overlay = d.core.route(id(2), RouteMode.OVERLAY).orElseThrow();
        assertThat(overlay.path()).containsExactly(SELF, id(3), id(2));
        assertThat(overlay.cost()).isEqualTo(110.0);
        assertThat(overlay.directCost()).isEqualTo(50.0);
    }

    @Test
    void bestModeDataGoesOverADirectLinkAndOverlayModeOverAnOutLink() {
        Driver d = wired();
        d.on(new NodeEvent.SendData("b1", id(2), new byte[] {1}, RouteMode.BEST));
        d.settle();
        Effect.Connect direct = d.connectTo(id(2));
        assertThat(direct).as("a connection to 2's main port").isNotNull();
        assertThat(d.core.directLinks()).containsExactly(id(2));
        List<String> sent = dataLinesOn(d, direct.conn());
        assertThat(sent).hasSize(1);
        assertThat(data(sent.get(0)).dst()).isEqualTo(id(2));
        assertThat(data(sent.get(0)).path()).containsExactly(SELF);

        d.on(new NodeEvent.SendData("o1", id(2), new byte[] {2})); // the default: overlay
        assertThat(dataLinesOn(d, direct.conn())).hasSize(1);
        assertThat(dataLinesOn(d, d.connectTo(id(3)).conn())).hasSize(1);

        // the far end closes the direct link: forgotten; the next best-mode message opens a new one
        d.on(new Event.Closed(direct.conn()));
        assertThat(d.core.directLinks()).isEmpty();
        assertThat(d.core.neighbors()).containsExactlyInAnyOrder(id(3), id(4)); // the overlay is untouched
        d.on(new NodeEvent.SendData("b2", id(2), new byte[] {3}, RouteMode.BEST));
        d.settle();
        Effect.Connect again = d.connectTo(id(2));
        assertThat(again.conn()).isNotEqualTo(direct.conn());
        assertThat(dataLinesOn(d, again.conn())).hasSize(1);
    }

    @Test
    void aDirectLinkThatCannotConnectHandsItsMessagesToTheOverlayRoute() {
        Driver d = wired();
        d.autoConnectNeighbors = false;
        d.on(new NodeEvent.SendData("b1", id(2), new byte[] {1}, RouteMode.BEST));
        d.settle();
        Effect.Connect direct = d.connectTo(id(2));
        assertThat(dataLinesOn(d, direct.conn())).isEmpty();
        ConnId viaThree = d.connectTo(id(3)).conn();
        assertThat(dataLinesOn(d, viaThree)).isEmpty();
        d.on(new Event.ConnectFailed(direct.conn(), "refused"));
        assertThat(dataLinesOn(d, viaThree)).hasSize(1);
        assertThat(data(dataLinesOn(d, viaThree).get(0)).dst()).isEqualTo(id(2));
        assertThat(d.core.directLinks()).isEmpty();
        assertThat(d.all).contains(new Effect.Close(direct.conn()));
    }
}
