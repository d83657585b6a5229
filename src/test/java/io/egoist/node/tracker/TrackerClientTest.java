package io.egoist.node.tracker;

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
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracker client alone: REG, replies, back-off, UPT/RMV. */
class TrackerClientTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);
    private final TrackerClient tc = new TrackerClient(ctx);

    private ConnId lastConnect(List<Effect> e) {
        List<Effect.Connect> c = ofType(e, Effect.Connect.class);
        assertThat(c).isNotEmpty();
        assertThat(c.get(c.size() - 1).port()).isEqualTo(61223);
        return c.get(c.size() - 1).conn();
    }

    private static long timer(List<Effect> e, String key) {
        for (Effect x : e) if (x instanceof Effect.SetTimer t && t.key().equals(key)) return t.atMillis();
        throw new AssertionError("no timer " + key + " in " + e);
    }

    @Test
    void registerSendsRegAndHandsTheReplyOverThenSchedulesTheRefresh() {
        tc.register("start");
        ConnId c = lastConnect(ctx.drain());
        assertThat(tc.owns(c)).isTrue();
        tc.onConnected(c);
        assertThat(lines(ctx.drain())).containsExactly(WireCodec.encode(new Message.Register(id(1))));
        Message.RegisterReply reply = new Message.RegisterReply(List.of(id(1), id(2)), List.of());
        assertThat(tc.onLine(c, WireCodec.encode(reply), true)).isEqualTo(reply);
        List<Effect> e = ctx.drain();
        assertThat(ofType(e, Effect.Close.class)).extracting(Effect.Close::conn).containsExactly(c);
        assertThat(tc.owns(c)).isFalse();
        tc.registered();
        assertThat(timer(ctx.drain(), NodeTimers.REGISTER)).isEqualTo(ctx.now() + cfg.trackerRefreshMs());
    }

    @Test
    void anUnreachableTrackerIsRetriedWithADoublingBackOffUpToTheMaximum() {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tc.register("retry");
            ConnId c = lastConnect(ctx.drain());
            tc.onConnectFailed(c, "refused");
            delays.add(timer(ctx.drain(), NodeTimers.REGISTER) - ctx.now());
        }
        assertThat(delays).startsWith(1_000L, 2_000L, 4_000L, 8_000L, 16_000L);
        assertThat(delays.get(7)).isEqualTo(cfg.trackerRetryMaxMs());
    }

    @Test
    void anEmptyReplyWhileJoiningRemovesOurOldRecordAndRetries() {
        tc.register("start");
        ConnId c = lastConnect(ctx.drain());
        tc.onConnected(c);
        ctx.drain();
        assertThat(tc.onLine(c, "", true)).isNull();
        List<Effect> e = ctx.drain();
        ConnId rmv = lastConnect(e);
        timer(e, NodeTimers.REGISTER);
        tc.onConnected(rmv);
        assertThat(lines(ctx.drain())).containsExactly(WireCodec.encode(new Message.Remove(id(1))));
    }

    @Test
    void aNackedUpdateMakesTheTrackerSuspectAndRegistersAgain() {
        tc.report(List.of(new Link(id(1), id(2), 10)));
        ConnId c = lastConnect(ctx.drain());
        tc.onConnected(c);
        assertThat(lines(ctx.drain())).singleElement().asString().startsWith("UPT@");
        tc.onLine(c, WireCodec.encode(new Message.Nack("unknown node")), false);
        assertThat(tc.suspect()).isTrue();
        ConnId reg = lastConnect(ctx.drain());
        tc.onConnected(reg);
        assertThat(lines(ctx.drain())).singleElement().asString().startsWith("REG@");
    }

    @Test
    void withNoLinksTheReportIsARegistration() {
        tc.report(List.of());
        ConnId c = lastConnect(ctx.drain());
        tc.onConnected(c);
        assertThat(lines(ctx.drain())).singleElement().asString().startsWith("REG@");
    }
}
