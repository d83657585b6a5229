package io.egoist.node.links;

import static io.egoist.node.Parts.id;
import static io.egoist.node.Parts.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.Parts;
import io.egoist.node.probe.Peer;
import io.egoist.security.ca.MemberId;
import io.egoist.wire.Message;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Accepted connections and HELLO feature detection, each alone. */
class InLinksAndFeatureProbeTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);

    @Test
    void aRejectionIsAnsweredWithNackOnlyToAConnectorThatSpokeAnExtension() {
        InLinks in = new InLinks(ctx);
        ConnId a = new ConnId(-1), b = new ConnId(-2);
        in.accepted(a, "10.0.0.7", 40001);
        in.accepted(b, "10.0.0.8", 40002);
        in.reject(a, "bad@line");
        assertThat(ctx.drain()).containsExactly(new Effect.Close(a));
        in.speaksExtensions(b);
        in.reject(b, "bad@line");
        assertThat(ctx.drain()).containsExactly(new Effect.Send(b, "NACK@bad line"), new Effect.Close(b));
        assertThat(in.owns(a) || in.owns(b)).isFalse();
        assertThat(ctx.counters().rejected).isEqualTo(2);
    }

    @Test
    void anEchoedHelloMeansV02AndAHelloAnswerListsTheFeatures() {
        String hello = WireCodec.encode(new Message.Hello(id(1), cfg.features()));
        Peer v02 = new Peer(id(2), 0), ours = new Peer(id(3), 0);
        FeatureProbe fp = new FeatureProbe(ctx, hello, n -> n.equals(id(2)) ? v02 : ours);
        fp.detect(v02);
        fp.detect(ours);
        fp.detect(ours); // one question at a time
        List<Effect.Connect> c = ofType(ctx.drain(), Effect.Connect.class);
        assertThat(c).hasSize(2).allMatch(x -> x.port() == 7001);
        fp.onConnected(c.get(0).conn());
        assertThat(ctx.drain()).containsExactly(new Effect.Send(c.get(0).conn(), hello));
        assertThat(fp.onLine(c.get(0).conn(), hello)).isSameAs(v02);
        assertThat(v02.features()).isEmpty();
        String answer = WireCodec.encode(new Message.Hello(id(3), List.of("hb")));
        assertThat(fp.onLine(c.get(1).conn(), answer)).isSameAs(ours);
        assertThat(ours.features()).containsExactly("hb");
        assertThat(ours.helloPending()).isFalse();
    }

    @Test
    void secureModeAHelloAnswerNamingAnotherIdThanTheCertificateIsRefusedClosedAndCounted() {
        String hello = WireCodec.encode(new Message.Hello(id(1), cfg.features()));
        Peer p = new Peer(id(2), 0);
        FeatureProbe fp = new FeatureProbe(ctx, hello, n -> p);
        LinkIdentities ids = new LinkIdentities(ctx);
        fp.identities(ids);
        fp.detect(p);
        ConnId c = ofType(ctx.drain(), Effect.Connect.class).get(0).conn();
        ids.authenticated(c, MemberId.of(id(2))); // the echo port's certificate: node 2
        fp.onConnected(c);
        ctx.drain();
        // ... but its HELLO claims node 5
        assertThat(fp.onLine(c, WireCodec.encode(new Message.Hello(id(5), List.of("hb", "data")))))
                .isNull();
        assertThat(ctx.drain()).contains(new Effect.Close(c));
        assertThat(p.features()).isNull(); // nothing learned
        assertThat(ctx.counters().identityMismatches).isEqualTo(1);
        // the genuine answer on the next exchange is taken
        fp.detect(p);
        ConnId c2 = ofType(ctx.drain(), Effect.Connect.class).get(0).conn();
        ids.authenticated(c2, MemberId.of(id(2)));
        assertThat(fp.onLine(c2, WireCodec.encode(new Message.Hello(id(2), List.of("hb")))))
                .isSameAs(p);
        assertThat(p.features()).containsExactly("hb");
        assertThat(ctx.counters().identityMismatches).isEqualTo(1);
    }

    @Test
    void anAuthenticatedConnectorIsKnownByItsCertificatesIdNotByItsAddress() {
        InLinks in = new InLinks(ctx);
        ConnId a = new ConnId(-1), b = new ConnId(-2);
        in.accepted(a, "10.0.0.7", 40001);
        in.accepted(b, "10.0.0.8", 40002);
        in.authenticated(a, id(9)); // certificate for 10.0.0.9:7000, connecting from 10.0.0.7
        assertThat(in.sentBy(a, id(9))).isTrue();
        assertThat(in.sentBy(a, id(7))).isFalse(); // its address alone does not count once a certificate spoke
        assertThat(in.name(a)).isEqualTo(id(9) + "/10.0.0.7:40001");
        assertThat(in.sentBy(b, id(8))).isTrue(); // open mode: by the IP address
        assertThat(in.name(b)).isEqualTo("10.0.0.8:40002");
    }

    @Test
    void aDataWhosePreviousHopIsNotTheCertificatesIdIsRefusedAndCounted() {
        LinkIdentities ids = new LinkIdentities(ctx);
        ConnId c = new ConnId(-1);
        Message.Data fromY = new Message.Data("m1", 8, id(4), id(6), List.of(id(4), id(5)), new byte[] {1});
        assertThat(ids.dataFromItsPeer(c, fromY, "x")).isTrue(); // open mode: nothing to check against
        ids.authenticated(c, MemberId.of(id(3)));
        assertThat(ids.dataFromItsPeer(c, fromY, "x")).isFalse(); // previous hop 5, certificate 3
        Message.Data fromX = new Message.Data("m2", 8, id(4), id(6), List.of(id(4), id(3)), new byte[] {1});
        assertThat(ids.dataFromItsPeer(c, fromX, "x")).isTrue();
        assertThat(ctx.counters().identityMismatches).isEqualTo(1);
        ids.closed(c);
        assertThat(ids.node(c)).isNull();
    }

    @Test
    void withoutExtensionsNoHelloIsEverSent() {
        Peer p = new Peer(id(2), 0);
        FeatureProbe fp = new FeatureProbe(ctx, null, n -> p);
        fp.detect(p);
        assertThat(ctx.drain()).isEmpty();
    }
}
