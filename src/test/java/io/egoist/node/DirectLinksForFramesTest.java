package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.links.DirectLinks;
import io.egoist.tunnel.ForwardingTable;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tunnel plane's hook into the core for best routes (sans-I/O, through the whole core): {@link
 * NodeEvent.KeepDirectLinks} opens a direct link to a non-neighbor first hop, the forwarding tables use it once up,
 * keepalives go on it while it is in use, it closes when unused, a failure falls back to the overlay route (and is
 * not retried at once), and a first hop that does not advertise {@code frames} never gets one for frames.
 */
class DirectLinksForFramesTest {
    private static final long IDLE = 2_000;

    /** Us (1) with out-links to 3 (10 ms) and 4 (20 ms); 2 measured at 50 ms, 5 at 80; 3 links to 2 at 100 ms. */
    private static Driver wired(List<String> featuresOfTwo) {
        Driver d = new Driver(Driver.config(1).withK(2).withPolicy("k-closest").withDirectLinkIdleMs(IDLE));
        double[] rtt = {50, 10, 20, 80};
        List<String> ours = List.of("hb", "data", "frames");
        for (int i = 0; i < 4; i++) {
            d.rtts.put(id(i + 2), rtt[i]);
            d.features.put(id(i + 2), i == 0 ? featuresOfTwo : ours);
        }
        d.join(List.of(id(2), id(3), id(4), id(5)), List.of());
        d.advance(600);
        ConnId in = new ConnId(-1);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        d.on(new Event.LineReceived(in, Driver.update("ab01", 1, id(3), 100, id(2))));
        return d;
    }

    private static ForwardingTable.Tables tables(Driver d) {
        return ForwardingTable.tables(d.core, Set.of(id(2)));
    }

    @Test
    void aDirectLinkIsOpenedOnRequestUsedByTheBestTableKeptAliveAndClosedWhenUnused() {
        Driver d = wired(List.of("hb", "data", "frames"));
        ForwardingTable.Tables before = tables(d);
        ConnId viaThree = d.core.upLinkConn(id(3)).orElseThrow();
        assertThat(before.overlay()).containsEntry(id(2), viaThree); // the overlay route: 1 > 3 > 2
        assertThat(before.best()).doesNotContainKey(id(2)); // no direct link yet: the overlay entry serves
        assertThat(before.directFirstHops()).containsExactly(id(2));

        d.on(new NodeEvent.KeepDirectLinks(before.directFirstHops()));
        d.settle();
        Effect.Connect c = d.connectTo(id(2));
        assertThat(c).as("a connection to 2's main port").isNotNull();
        assertThat(d.core.directLinkConn(id(2))).contains(c.conn());
        ForwardingTable.Tables after = tables(d);
        assertThat(after.best()).containsEntry(id(2), c.conn());
        assertThat(after.overlay()).containsEntry(id(2), viaThree); // relays keep the overlay table

        // in use (the plane asks every 200 ms): stays open past the idle time, a keepalive line every IDLE / 2
        for (int i = 0; i < 20; i++) {
            d.advance(200);
            d.on(new NodeEvent.KeepDirectLinks(Set.of(id(2))));
        }
        assertThat(d.all).doesNotContain(new Effect.Close(c.conn()));
        assertThat(d.core.directLinkConn(id(2))).contains(c.conn());
        long keepalives =
                d.linesOn(c.conn()).stream().filter(l -> l.startsWith("HB@")).count();
        assertThat(keepalives).isBetween(3L, 5L); // 4 s in use, one every second
        // no longer asked for: closed after the idle time
        d.advance(IDLE + 100);
        assertThat(d.all).contains(new Effect.Close(c.conn()));
        assertThat(d.core.directLinkConn(id(2))).isEmpty();
        assertThat(tables(d).best()).doesNotContainKey(id(2));
    }

    @Test
    void aDirectLinkThatCannotConnectLeavesTheOverlayRouteAndIsRetriedOnlyLater() {
        Driver d = wired(List.of("hb", "data", "frames"));
        d.autoConnectNeighbors = false;
        d.on(new NodeEvent.KeepDirectLinks(Set.of(id(2))));
        d.settle();
        Effect.Connect first = d.connectTo(id(2));
        d.on(new Event.ConnectFailed(first.conn(), "refused"));
        assertThat(d.core.directLinks()).isEmpty();
        ForwardingTable.Tables t = tables(d);
        assertThat(t.best()).doesNotContainKey(id(2));
        assertThat(t.overlay()).containsKey(id(2)); // frames take the overlay route meanwhile
        d.on(new NodeEvent.KeepDirectLinks(Set.of(id(2))));
        assertThat(d.connectTo(id(2))).isEqualTo(first); // not again at once
        d.advance(DirectLinks.RETRY_AFTER_FAILURE_MS);
        d.on(new NodeEvent.KeepDirectLinks(Set.of(id(2))));
        assertThat(d.connectTo(id(2)).conn()).isNotEqualTo(first.conn());
    }

    @Test
    void aFirstHopThatDoesNotAdvertiseFramesGetsNoDirectLinkForFrames() {
        Driver d = wired(List.of("hb", "data")); // speaks data, not frames
        ForwardingTable.Tables t = tables(d);
        assertThat(t.directFirstHops()).isEmpty();
        assertThat(t.best()).doesNotContainKey(id(2));
        assertThat(t.overlay()).containsKey(id(2));
    }

    @Test
    void atMostMaxLinksDirectLinksAreOpened() {
        Driver d = wired(List.of("hb", "data", "frames"));
        Set<NodeId> many = new java.util.HashSet<>();
        for (int i = 0; i < DirectLinks.MAX_LINKS + 8; i++) many.add(new NodeId("10.1.0." + (i + 1), 7000));
        List<Effect> out = new ArrayList<>(d.on(new NodeEvent.KeepDirectLinks(many)));
        assertThat(out.stream().filter(e -> e instanceof Effect.Connect).count())
                .isEqualTo(DirectLinks.MAX_LINKS);
        assertThat(d.core.directLinks()).hasSize(DirectLinks.MAX_LINKS);
    }
}
