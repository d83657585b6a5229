package io.egoist.security.sign;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.latency.LatencyMatrix;
import io.egoist.node.NodeCore;
import io.egoist.node.NodeCounters;
import io.egoist.node.NodeEffect;
import io.egoist.security.e2e.DataBox;
import io.egoist.sim.net.SimOverlay;
import io.egoist.sim.net.VirtualNetwork;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.SignedUpdateCodec;
import io.egoist.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * Secure nodes (signed link state, end-to-end DATA, keys pinned per member) under virtual time on the RIPE matrix:
 * the overlay converges as in open mode, and a member on the wire cannot alter, forge or replay another member's
 * announcement, forge a DATA source, or read a DATA payload it relays.
 */
class SignedOverlaySimTest {
    static final int N = 10;

    final Map<NodeId, MemberIdentity> identities = new HashMap<>();
    final PinnedMemberKeys pinned = new PinnedMemberKeys();
    /** The first and the latest signed update of every origin seen on the wire. */
    final Map<NodeId, String> firstLine = new HashMap<>(), lastLine = new HashMap<>();
    /** DATA lines as delivered to each hop: from, to, line. */
    final List<String[]> dataLines = new ArrayList<>();

    final List<String> deliveredPayloads = new ArrayList<>();

    SimOverlay start(long seed) {
        VirtualNetwork.Options options = new VirtualNetwork.Options().cores((cfg, random) -> {
            MemberSecurity s = MemberSecurity.of(identities.get(cfg.self()), pinned);
            return new NodeCore(cfg, random, s.updateSeal(), s.dataSeal());
        });
        SimOverlay o = SimOverlay.build(
                LatencyMatrix.ripe().toArray(),
                N,
                seed,
                c -> c.withPingPeriodMs(2000)
                        .withPingTimeoutMs(1000)
                        .withRewirePeriodMs(3000)
                        .withEraseHashMs(4000),
                options);
        for (NodeId id : o.ids()) {
            MemberIdentity m = MemberIdentity.generate(id);
            identities.put(id, m);
            pinned.pin(m);
        }
        o.net().addListener(new VirtualNetwork.Listener() {
            @Override
            public void lineDelivered(String from, String to, String line) {
                if (line.startsWith("SUPT@")) {
                    Decoded d = WireCodec.decode(WireCodec.Context.PEER_LINK, line);
                    NodeId src = ((Message.SignedUpdate) ((Decoded.Ok) d).message())
                            .update()
                            .source();
                    firstLine.putIfAbsent(src, line);
                    lastLine.put(src, line);
                } else if (line.startsWith("DATA@")) dataLines.add(new String[] {from, to, line});
            }

            @Override
            public void nodeEffect(NodeId node, long nowMillis, Effect effect) {
                if (effect instanceof NodeEffect.Deliver d)
                    deliveredPayloads.add(new String(d.payload(), StandardCharsets.UTF_8));
            }
        });
        o.startAll(5_000, new Random(seed));
        o.net().runFor(15_000);
        long deadline = 120_000;
        while (o.net().now() < deadline
                && !(o.wiringProblems().isEmpty()
                        && o.unreachablePairs().isEmpty()
                        && o.routeMismatches().isEmpty())) o.net().runFor(1000);
        assertThat(o.wiringProblems()).isEmpty();
        assertThat(o.unreachablePairs()).isEmpty();
        assertThat(o.routeMismatches()).isEmpty();
        return o;
    }

    long sum(SimOverlay o, ToLongFunction<NodeCounters> f) {
        long s = 0;
        for (NodeId id : o.ids()) s += f.applyAsLong(o.core(id).counters());
        return s;
    }

    /** A member that connects to every node's main port and sends each the given lines. */
    static Core injector(List<NodeId> targets, List<String> lines) {
        return new Core() {
            final Map<ConnId, NodeId> conns = new HashMap<>();

            @Override
            public List<Effect> start(long now) {
                List<Effect> out = new ArrayList<>();
                long c = 1;
                for (NodeId t : targets) {
                    ConnId id = new ConnId(c++);
                    conns.put(id, t);
                    out.add(new Effect.Connect(id, t.ip(), t.port()));
                }
                return out;
            }

            @Override
            public List<Effect> handle(long now, Event e) {
                List<Effect> out = new ArrayList<>();
                if (e instanceof Event.Connected c) for (String l : lines) out.add(new Effect.Send(c.conn(), l));
                return out;
            }
        };
    }

    static Message.SignedUpdate decodeSigned(String line) {
        return (Message.SignedUpdate) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
    }

    @Test
    void aSecureOverlayConvergesWithEveryAnnouncementSignedAndChecked() {
        SimOverlay o = start(3);
        for (NodeId id : o.ids()) {
            assertThat(o.core(id).secure()).isTrue();
            assertThat(o.core(id).config().features()).contains("sig");
            for (NodeId other : o.ids())
                if (!other.equals(id))
                    assertThat(o.core(id).linksOf(other))
                            .as(id + " holds " + other + "'s signed links")
                            .containsExactlyInAnyOrderElementsOf(o.core(other).announcedLinks());
        }
        assertThat(sum(o, c -> c.updatesAccepted)).isPositive();
        assertThat(sum(o, c -> c.updatesBadSignature + c.updatesUnsigned)).isZero();
        assertThat(lastLine).hasSize(N); // only signed updates travel between secure nodes
    }

    @Test
    void aRelayThatChangesOneLinkOrForgesOrReplaysAnAnnouncementIsIgnoredByEveryReceiver() {
        SimOverlay o = start(4);
        NodeId victim = o.ids().get(0);
        Message.SignedUpdate genuine = decodeSigned(lastLine.get(victim));
        List<Link> links = new ArrayList<>(genuine.update().links());
        Link l0 = links.get(0);
        links.set(0, new Link(l0.src(), l0.dst(), l0.cost() + 1000)); // one link made expensive
        int nextSeq = (genuine.update().seq() + 1) % 5000; // and newer, so it would win if it were accepted
        String altered = SignedUpdateCodec.encode(
                WireCodec.encode(new Message.PeerUpdate("abcdef01", nextSeq, victim, links)),
                genuine.credential(),
                genuine.e2eKey(),
                genuine.signature());
        // another member (pinned, with a certificate of its own) signs the victim's links under the victim's id
        NodeId attackerId = new NodeId("10.9.9.9", 7000);
        MemberIdentity attacker = MemberIdentity.generate(attackerId);
        pinned.pin(attacker);
        String forgedUnsigned = WireCodec.encode(new Message.PeerUpdate("abcdef02", nextSeq, victim, links));
        String forged = new LinkStateSigning(attacker, pinned).seal(forgedUnsigned);
        // the plain (v0.2) form is refused in secure mode
        String unsigned = WireCodec.encode(new Message.PeerUpdate("abcdef03", nextSeq, victim, links));
        // the victim's first announcement, genuine but old (its hash long erased from the seen sets)
        String replay = firstLine.get(victim);
        assertThat(decodeSigned(replay).update().seq())
                .isNotEqualTo(genuine.update().seq());

        List<NodeId> receivers = new ArrayList<>(o.ids());
        receivers.remove(victim);
        Map<NodeId, List<Link>> before = new HashMap<>();
        for (NodeId id : receivers) before.put(id, o.core(id).linksOf(victim));
        long bad = sum(o, c -> c.updatesBadSignature),
                plain = sum(o, c -> c.updatesUnsigned),
                stale = sum(o, c -> c.updatesStale);

        o.net()
                .addCore(
                        attackerId.ip(),
                        attackerId.port(),
                        0,
                        injector(receivers, List.of(altered, forged, unsigned, replay)));
        o.net().runFor(2_000);

        for (NodeId id : receivers) {
            assertThat(o.core(id).linksOf(victim)).as(id.toString()).isEqualTo(before.get(id));
            assertThat(o.core(id).linksOf(victim)).doesNotContain(links.get(0));
            assertThat(o.core(id).lastSeq(victim)).isEqualTo(genuine.update().seq());
        }
        assertThat(sum(o, c -> c.updatesBadSignature) - bad)
                .as("the altered and the forged update, at every receiver")
                .isEqualTo(2L * receivers.size());
        assertThat(sum(o, c -> c.updatesUnsigned) - plain).isEqualTo(receivers.size());
        assertThat(sum(o, c -> c.updatesStale) - stale)
                .as("the replay is genuine but older: it loses everywhere")
                .isGreaterThanOrEqualTo(receivers.size());
        assertThat(o.core(victim).counters().ownSeqAhead).isZero();
    }

    @Test
    void aRelayForwardsDataItCannotReadAndNobodyCanForgeADataSource() {
        SimOverlay o = start(5);
        Random r = new Random(5);
        List<VirtualNetwork.DataOutcome> outs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            NodeId a = o.ids().get(r.nextInt(N)), b = o.ids().get(r.nextInt(N));
            if (a.equals(b)) continue;
            outs.add(o.net().sendData(a, b, ("secret-message-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        o.net().runFor(6_000);
        assertThat(outs).allMatch(VirtualNetwork.DataOutcome::acked);
        assertThat(deliveredPayloads).hasSize(outs.size()).allMatch(p -> p.startsWith("secret-message-"));

        int relayed = 0;
        for (String[] hop : dataLines) {
            String line = hop[2];
            assertThat(line).doesNotContain("secret-message");
            Message.Data d =
                    (Message.Data) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
            String b64 = Base64.getEncoder().encodeToString("secret-message-".getBytes(StandardCharsets.UTF_8));
            assertThat(line).doesNotContain(b64.substring(0, 16));
            NodeId at = NodeId.parse(hop[1]);
            if (at.equals(d.dst())) continue;
            relayed++;
            // the relay, with its own keys and every member's public key, cannot open it
            DataBox relay = box(at);
            assertThat(relay.open(d.src(), d.msgId(), d.payload())).isNull();
            // the destination can (so the check above could have failed)
            assertThat(new String(box(d.dst()).open(d.src(), d.msgId(), d.payload()), StandardCharsets.UTF_8))
                    .startsWith("secret-message-");
        }
        assertThat(relayed).as("some messages took two or more hops").isPositive();

        // a member sends the destination DATA that claims another member as its source
        NodeId src = o.ids().get(1), dst = o.ids().get(2);
        NodeId attackerId = new NodeId("10.9.9.8", 7000);
        MemberIdentity attacker = MemberIdentity.generate(attackerId);
        DataBox attackerBox = new DataBox(attackerId, attacker.agreement(), new SecureRandom());
        attackerBox.learn(dst, identities.get(dst).agreement().getPublic().getEncoded());
        byte[] sealedByAttacker = attackerBox.seal(dst, "forged1", "pay me".getBytes(StandardCharsets.UTF_8));
        String forgedSealed =
                WireCodec.encode(new Message.Data("forged1", 31, src, dst, List.of(src), sealedByAttacker));
        String forgedPlain = WireCodec.encode(
                new Message.Data("forged2", 31, src, dst, List.of(src), "pay me".getBytes(StandardCharsets.UTF_8)));
        long refused = o.core(dst).counters().dataUnauthentic;
        int delivered = deliveredPayloads.size();
        o.net()
                .addCore(
                        attackerId.ip(),
                        attackerId.port(),
                        0,
                        injector(List.of(dst), List.of(forgedSealed, forgedPlain)));
        o.net().runFor(2_000);
        assertThat(o.core(dst).counters().dataUnauthentic - refused).isEqualTo(2);
        assertThat(deliveredPayloads).hasSize(delivered);
    }

    DataBox box(NodeId owner) {
        DataBox b = new DataBox(owner, identities.get(owner).agreement(), new SecureRandom());
        for (MemberIdentity m : identities.values())
            if (!m.id().equals(owner)) b.learn(m.id(), m.agreement().getPublic().getEncoded());
        return b;
    }
}
