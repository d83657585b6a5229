package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DATA/DACK with no route at the moment they must be sent wait (up to dataHoldMs) for one instead of dying. */
class NodeDataHoldTest {
    private static final NodeId SELF = id(1);

    /** Node 1, k = 2, k-closest over nodes 2..5 (RTT 50, 10, 20, 80): neighbors 3 and 4; no link state yet. */
    private static Driver wired(NodeConfig cfg) {
        Driver d = new Driver(cfg);
        double[] rtt = {50, 10, 20, 80};
        for (int i = 0; i < 4; i++) {
            d.rtts.put(id(i + 2), rtt[i]);
            d.features.put(id(i + 2), List.of("hb", "data"));
        }
        d.join(List.of(id(2), id(3), id(4), id(5)), List.of());
        d.advance(600);
        return d;
    }

    private static Driver wired() {
        return wired(Driver.config(1).withK(2).withPolicy("k-closest"));
    }

    private static ConnId conn(Driver d, NodeId n) {
        return d.connectTo(n).conn();
    }

    private static Message decode(String line) {
        return ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
    }

    private static List<String> dataLines(List<Effect> e) {
        return Driver.lines(e).stream()
                .filter(l -> l.startsWith("DATA@") || l.startsWith("DACK@"))
                .toList();
    }

    private static String data(String msgId, int ttl, NodeId src, NodeId dst) {
        return WireCodec.encode(new Message.Data(msgId, ttl, src, dst, List.of(src), new byte[] {1}));
    }

    @Test
    void relayedDataWithoutARouteWaitsAndGoesOutWhenAnUpdateBringsOne() {
        Driver d = wired();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        // node 5 is known and alive, but nobody announced a link to it yet
        assertThat(dataLines(d.on(new Event.LineReceived(in, data("h1", 10, id(9), id(5))))))
                .isEmpty();
        assertThat(d.core.counters().held).isEqualTo(1);
        d.advance(300);
        // neighbor 3 announces 3 -> 5: the held message leaves at once, over 3, TTL decremented once
        ConnId from3 = new ConnId(-6);
        d.on(new Event.Accepted(from3, "10.0.0.3", 40002));
        List<Effect> e = d.on(new Event.LineReceived(from3, Driver.update("c001", 10, id(3), 5.0, id(5))));
        List<String> sent = dataLines(e);
        assertThat(sent).hasSize(1);
        assertThat(e).contains(new Effect.Send(conn(d, id(3)), sent.get(0)));
        Message.Data fwd = (Message.Data) decode(sent.get(0));
        assertThat(fwd.msgId()).isEqualTo("h1");
        assertThat(fwd.ttl()).isEqualTo(9);
        assertThat(fwd.path()).containsExactly(id(9), SELF);
        assertThat(d.core.counters().heldSent).isEqualTo(1);
        assertThat(d.core.counters().dataDropped).isZero();
        d.advance(5_000);
        assertThat(dataLines(d.all).stream().filter(l -> l.contains("@h1@"))).hasSize(1); // sent once, not again
    }

    @Test
    void aHeldMessageIsDroppedWhenNoRouteAppearsWithinTheHoldTime() {
        Driver d = wired();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        d.on(new Event.LineReceived(in, data("h2", 10, id(9), id(5))));
        d.advance(NodeConfig.DEFAULT_DATA_HOLD_MS - 100);
        assertThat(d.core.counters().dataDropped).isZero();
        d.advance(200);
        assertThat(d.core.counters().drops).containsEntry("no_route", 1L);
        assertThat(dataLines(d.all)).isEmpty();
    }

    @Test
    void theAcknowledgementWaitsForARouteBackToTheSender() {
        Driver d = wired();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.5", 40001));
        // a DATA for us from node 9, whose links we have not heard of yet, relayed by 5, which does not take DACKs
        // back on its out-link (no feature back): delivered, the DACK has no route yet and no way back
        List<Effect> e = d.on(new Event.LineReceived(
                in, WireCodec.encode(new Message.Data("h3", 30, id(9), SELF, List.of(id(9), id(5)), new byte[] {1}))));
        assertThat(Driver.ofType(e, NodeEffect.Deliver.class)).hasSize(1);
        assertThat(dataLines(e)).isEmpty();
        ConnId from4 = new ConnId(-6);
        d.on(new Event.Accepted(from4, "10.0.0.4", 40002));
        List<Effect> later = d.on(new Event.LineReceived(from4, Driver.update("c002", 10, id(4), 5.0, id(9))));
        List<String> sent = dataLines(later);
        assertThat(sent).hasSize(1);
        assertThat(later).contains(new Effect.Send(conn(d, id(4)), sent.get(0)));
        Message.DataAck ack = (Message.DataAck) decode(sent.get(0));
        assertThat(ack.msgId()).isEqualTo("h3");
        assertThat(ack.dst()).isEqualTo(id(9));
        assertThat(ack.forwardPath()).containsExactly(id(9), id(5), SELF);
    }

    @Test
    void withoutARouteBackTheAcknowledgementGoesBackOnTheConnectionItsDataCameIn() {
        Driver d = wired();
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        // node 9 is not even known to us (its features neither): writing back is the only way
        List<Effect> e = d.on(new Event.LineReceived(in, data("h4", 30, id(9), SELF)));
        assertThat(Driver.ofType(e, NodeEffect.Deliver.class)).hasSize(1);
        List<String> sent = dataLines(e);
        assertThat(sent).singleElement().satisfies(l -> assertThat(l).startsWith("DACK@h4@"));
        assertThat(e).contains(new Effect.Send(in, sent.get(0)));
    }

    @Test
    void aSendToAKnownButUnreachableNodeWaitsThenFailsWithNoRoute() {
        Driver d = wired();
        List<Effect> e = d.on(new NodeEvent.SendData("s1", id(5), new byte[] {1}));
        assertThat(Driver.ofType(e, NodeEffect.DataFailed.class)).isEmpty();
        assertThat(dataLines(e)).isEmpty();
        d.advance(NodeConfig.DEFAULT_DATA_HOLD_MS + 10);
        List<NodeEffect.DataFailed> failed = Driver.ofType(d.all, NodeEffect.DataFailed.class);
        assertThat(failed).extracting(NodeEffect.DataFailed::requestId).containsExactly("s1");
        assertThat(failed.get(0).reason()).startsWith("no route to " + id(5));
        d.advance(10_000); // the data timeout does not fail it a second time
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class)).hasSize(1);
    }

    @Test
    void aSendThatWaitedIsAcknowledgedNormally() {
        Driver d = wired();
        d.on(new NodeEvent.SendData("s2", id(5), new byte[] {1}));
        d.advance(400);
        ConnId from3 = new ConnId(-6);
        d.on(new Event.Accepted(from3, "10.0.0.3", 40002));
        List<Effect> e = d.on(new Event.LineReceived(from3, Driver.update("c003", 10, id(3), 5.0, id(5))));
        Message.Data sent = (Message.Data) decode(dataLines(e).get(0));
        assertThat(sent.ttl()).isEqualTo(32);
        d.now += 30;
        List<Effect> a = d.on(new Event.LineReceived(
                from3,
                WireCodec.encode(new Message.DataAck(sent.msgId(), 31, id(5), SELF, List.of(SELF, id(3), id(5))))));
        NodeEffect.DataAcked acked =
                Driver.ofType(a, NodeEffect.DataAcked.class).get(0);
        assertThat(acked.requestId()).isEqualTo("s2");
        assertThat(acked.rttMillis()).isEqualTo(430); // from the send request, waiting included
        d.advance(10_000);
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class)).isEmpty();
    }

    @Test
    void nothingWaitsForADeadOrUnknownDestinationOrWithHoldingOff() {
        Driver d = wired();
        d.on(new Event.ProbeResult(id(5), -1)); // node 5 stopped answering: dead
        ConnId in = new ConnId(-5);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        d.on(new Event.LineReceived(in, data("h4", 10, id(9), id(5))));
        assertThat(d.core.counters().drops).containsEntry("no_route", 1L);
        assertThat(d.core.counters().held).isZero();
        // at the source, an id we never heard of fails at once
        List<Effect> e = d.on(new NodeEvent.SendData("s3", id(77), new byte[] {1}));
        assertThat(Driver.ofType(e, NodeEffect.DataFailed.class)).hasSize(1);

        Driver off = wired(Driver.config(1).withK(2).withPolicy("k-closest").withDataHoldMs(0));
        List<Effect> f = off.on(new NodeEvent.SendData("s4", id(5), new byte[] {1}));
        assertThat(Driver.ofType(f, NodeEffect.DataFailed.class))
                .extracting(NodeEffect.DataFailed::reason)
                .containsExactly("no route to " + id(5));
        assertThat(off.core.counters().held).isZero();
    }
}
