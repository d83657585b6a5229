package io.egoist.node.data;

import static io.egoist.node.Parts.id;
import static io.egoist.node.Parts.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.NodeEffect;
import io.egoist.node.NodeEvent;
import io.egoist.node.Parts;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The data plane alone, over a scripted network: send, forward, deliver, acknowledge, hold. */
class DataPlaneTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);

    /** Routes by hand: destinations with a next hop, standings, and the lines sent. */
    private static class Net implements DataPlane.Network {
        final Set<NodeId> routes = new HashSet<>();
        final Map<NodeId, DataPlane.Standing> standing = new HashMap<>();
        final List<String> sent = new ArrayList<>();

        @Override
        public boolean hasRoute(NodeId dst) {
            return routes.contains(dst);
        }

        @Override
        public boolean sendTowards(NodeId dst, String line) {
            if (!routes.contains(dst)) return false;
            sent.add(line);
            return true;
        }

        @Override
        public DataPlane.Standing standing(NodeId dst) {
            return standing.getOrDefault(dst, DataPlane.Standing.UNKNOWN);
        }
    }

    private final Net net = new Net();
    private final DataPlane data = new DataPlane(ctx, net);

    private static Message msg(String line) {
        return ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
    }

    @Test
    void aSentMessageGoesToTheNextHopAndItsAcknowledgementCompletesTheRequest() {
        net.routes.add(id(5));
        data.onSend(new NodeEvent.SendData("r1", id(5), new byte[] {7}));
        Message.Data d = (Message.Data) msg(net.sent.get(0));
        assertThat(d.dst()).isEqualTo(id(5));
        assertThat(d.path()).containsExactly(id(1));
        ctx.drain();
        data.onDataAck(new Message.DataAck(d.msgId(), 30, id(5), id(1), List.of(id(1), id(5))));
        List<NodeEffect.DataAcked> acked = ofType(ctx.drain(), NodeEffect.DataAcked.class);
        assertThat(acked)
                .singleElement()
                .extracting(NodeEffect.DataAcked::requestId)
                .isEqualTo("r1");
    }

    @Test
    void aMessageForUsIsDeliveredOnceAndAcknowledgedTowardsItsSource() {
        net.routes.add(id(5));
        Message.Data d = new Message.Data("m1", 30, id(5), id(1), List.of(id(5)), new byte[] {9});
        data.onData(d);
        assertThat(ofType(ctx.drain(), NodeEffect.Deliver.class)).hasSize(1);
        assertThat(msg(net.sent.get(0))).isInstanceOf(Message.DataAck.class);
        data.onData(new Message.Data("m1", 29, id(5), id(1), List.of(id(5), id(6)), new byte[] {9}));
        assertThat(ofType(ctx.drain(), NodeEffect.Deliver.class)).isEmpty();
        assertThat(ctx.counters().drops).containsEntry("duplicate", 1L);
    }

    @Test
    void withoutARouteAnUnknownDestinationFailsAtOnceAndAKnownOneWaitsForARoute() {
        data.onSend(new NodeEvent.SendData("r1", id(5), new byte[] {1}));
        assertThat(ofType(ctx.drain(), NodeEffect.DataFailed.class))
                .singleElement()
                .asString()
                .contains("no route");
        net.standing.put(id(6), DataPlane.Standing.OK);
        data.onSend(new NodeEvent.SendData("r2", id(6), new byte[] {1}));
        assertThat(net.sent).isEmpty();
        assertThat(ctx.counters().held).isEqualTo(1);
        net.routes.add(id(6));
        data.afterEvent();
        assertThat(net.sent).isEmpty(); // the view did not change since the line was held
        ctx.invalidate();
        data.afterEvent();
        assertThat(net.sent).hasSize(1);
        assertThat(ctx.counters().heldSent).isEqualTo(1);
    }

    @Test
    void aHeldMessageThatFindsNoRouteInTimeFailsItsRequest() {
        net.standing.put(id(6), DataPlane.Standing.OK);
        data.onSend(new NodeEvent.SendData("r2", id(6), new byte[] {1}));
        ctx.drain();
        Parts.at(ctx, ctx.now() + cfg.dataHoldMs());
        assertThat(data.onTimer(io.egoist.node.NodeTimers.HOLD)).isTrue();
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, NodeEffect.DataFailed.class))
                .singleElement()
                .asString()
                .contains("within");
    }

    @Test
    void aPayloadTooLargeForALineFailsAtOnceAndNothingIsSent() {
        net.routes.add(id(5));
        data.onSend(new NodeEvent.SendData("big", id(5), new byte[13_000])); // base64: 17,336 characters
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, NodeEffect.DataFailed.class))
                .singleElement()
                .satisfies(f -> assertThat(f.reason()).contains("payload too large"));
        assertThat(ofType(e, Effect.SetTimer.class)).isEmpty();
        assertThat(net.sent).isEmpty();
        data.onSend(new NodeEvent.SendData("ok", id(5), new byte[11_000]));
        assertThat(net.sent).hasSize(1);
    }

    @Test
    void aRelayDropsALineThatWouldBeTooLongForTheNextHop() {
        net.routes.add(id(5));
        List<NodeId> path = new ArrayList<>();
        for (int i = 0; i < 20; i++) path.add(new NodeId("10.0.1." + i, 7000));
        data.onData(new Message.Data("m9", 30, id(7), id(5), path, new byte[12_200]));
        assertThat(net.sent).isEmpty();
        assertThat(ctx.counters().drops).containsEntry("too_long", 1L);
    }

    // ---- the way back, and mixed overlays ----

    /** A relay whose back links are the connections in {@code open} whose previous hop takes DACKs there. */
    private DataPlane relay(Set<ConnId> open, Set<NodeId> takeBack) {
        return new DataPlane(ctx, net, (c, prev) -> open.contains(c) && takeBack.contains(prev));
    }

    @Test
    void aDackGoesBackTheWayItsDataCameWithoutARouteOfItsOwn() {
        ConnId fromPrev = new ConnId(-3);
        DataPlane relay = relay(Set.of(fromPrev), Set.of(id(4)));
        net.routes.add(id(5)); // towards the destination only: no route back to the source 7
        relay.onData(new Message.Data("m1", 30, id(7), id(5), List.of(id(7), id(4)), new byte[] {1}), fromPrev);
        assertThat(net.sent).singleElement().satisfies(l -> assertThat(l).startsWith("DATA@"));
        assertThat(relay.reverseEntries()).isEqualTo(1);
        ctx.drain();
        relay.onDataAck(
                new Message.DataAck("m1", 30, id(5), id(7), List.of(id(7), id(4), id(1), id(5))), new ConnId(9));
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, Effect.Send.class)).singleElement().satisfies(s -> {
            assertThat(s.conn()).isEqualTo(fromPrev);
            assertThat(msg(s.line())).isInstanceOf(Message.DataAck.class);
        });
        assertThat(net.sent).hasSize(1); // nothing routed
        assertThat(relay.reverseEntries()).isZero();
        assertThat(ctx.counters().acksSentBack).isEqualTo(1);
    }

    @Test
    void theDestinationAnswersOnTheConnectionItsDataCameIn() {
        ConnId in = new ConnId(-8);
        DataPlane dst = relay(Set.of(in), Set.of(id(4)));
        dst.onData(new Message.Data("m2", 30, id(7), id(1), List.of(id(7), id(4)), new byte[] {1}), in);
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, NodeEffect.Deliver.class)).hasSize(1);
        assertThat(ofType(e, Effect.Send.class))
                .singleElement()
                .satisfies(s -> assertThat(s.conn()).isEqualTo(in));
        assertThat(net.sent).isEmpty();
    }

    @Test
    void aNodeWithADataRouteBackSendsTheDackAlongItRatherThanBack() {
        ConnId in = new ConnId(-8);
        DataPlane dst = relay(Set.of(in), Set.of(id(4)));
        net.routes.add(id(7));
        dst.onData(new Message.Data("m3", 30, id(7), id(1), List.of(id(7), id(4)), new byte[] {1}), in);
        assertThat(net.sent).singleElement().satisfies(l -> assertThat(l).startsWith("DACK@"));
        assertThat(ofType(ctx.drain(), Effect.Send.class)).isEmpty();
    }

    @Test
    void withoutAWayBackNorARouteTheDackWaitsForARoute() {
        ConnId in = new ConnId(-8);
        // the previous hop does not take DACKs on its out-link (an older node of ours)
        DataPlane dst = relay(Set.of(in), Set.of());
        dst.onData(new Message.Data("m4", 30, id(7), id(1), List.of(id(7), id(4)), new byte[] {1}), in);
        assertThat(ofType(ctx.drain(), Effect.Send.class)).isEmpty();
        assertThat(ctx.counters().held).isEqualTo(1);
        net.routes.add(id(7));
        ctx.invalidate();
        dst.afterEvent();
        assertThat(net.sent).singleElement().satisfies(l -> assertThat(l).startsWith("DACK@"));
    }

    @Test
    void theWayBackIsForgottenAfterTwiceTheDataTimeout() {
        ConnId in = new ConnId(-3);
        DataPlane relay = relay(Set.of(in), Set.of(id(4)));
        net.routes.add(id(5));
        relay.onData(new Message.Data("m5", 30, id(7), id(5), List.of(id(7), id(4)), new byte[] {1}), in);
        Parts.at(ctx, ctx.now() + 2 * cfg.dataTimeoutMs() + 1);
        ctx.drain();
        relay.onDataAck(new Message.DataAck("m5", 30, id(5), id(7), List.of(id(7), id(4), id(1), id(5))), null);
        assertThat(ofType(ctx.drain(), Effect.Send.class)).isEmpty(); // no way back, and no route to 7: held
        assertThat(relay.reverseEntries()).isZero();
    }

    @Test
    void aDestinationReachableOnlyThroughV02NodesFailsAtOnce() {
        DataPlane.Network legacyOnly = new Net() {
            @Override
            public boolean onlyThroughLegacy(NodeId dst) {
                return dst.equals(id(5));
            }
        };
        ((Net) legacyOnly).standing.put(id(5), DataPlane.Standing.OK);
        ((Net) legacyOnly).standing.put(id(6), DataPlane.Standing.NO_DATA);
        DataPlane p = new DataPlane(ctx, legacyOnly);
        p.onSend(new NodeEvent.SendData("r1", id(5), new byte[] {1}));
        p.onSend(new NodeEvent.SendData("r2", id(6), new byte[] {1}));
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, NodeEffect.DataFailed.class))
                .extracting(NodeEffect.DataFailed::reason)
                .containsExactly(
                        "no data-capable path to 10.0.0.5:7000: every overlay path to it goes through nodes without"
                                + " the data extension (v0.2)",
                        "10.0.0.6:7000 does not speak the data extension (a v0.2 node): no message can reach it");
        assertThat(ctx.counters().held).isZero();
    }
}
