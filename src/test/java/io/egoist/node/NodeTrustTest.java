package io.egoist.node;

import static io.egoist.node.Parts.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.linkstate.Confirmations;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Nodes are learned (probed, HELLO'd, wiring candidates) only from where they can be checked: the tracker's list,
 * a vouch by a confirmed node (its accepted update links to them), or their own update from their own address. A
 * forged update naming hundreds of made-up nodes makes us probe none of them.
 */
class NodeTrustTest {

    /** Node 1, k = 2, k-closest; the tracker lists 2..5. */
    private static Driver wired() {
        Driver d = new Driver(Driver.config(1).withK(2).withPolicy("k-closest"));
        double[] rtt = {50, 10, 20, 80};
        for (int i = 0; i < 4; i++) {
            d.rtts.put(id(i + 2), rtt[i]);
            d.features.put(id(i + 2), List.of("hb", "data", "back"));
        }
        d.join(List.of(id(2), id(3), id(4), id(5)), List.of());
        d.advance(600);
        return d;
    }

    private static NodeId madeUp(int i) {
        return new NodeId("10.77." + (i / 250) + "." + (i % 250 + 1), 7000);
    }

    private static String forged(String hash, NodeId origin, int count) {
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < count; i++) links.add(new Link(origin, madeUp(i), 1));
        return WireCodec.encode(new Message.PeerUpdate(hash, 1, origin, links));
    }

    /** The hosts of every connection attempt and probe target since effect {@code from}. */
    private static Set<String> contacted(Driver d, int from) {
        Set<String> hosts = new HashSet<>();
        for (Effect e : d.all.subList(from, d.all.size())) {
            if (e instanceof Effect.Connect c) hosts.add(c.host());
            if (e instanceof Effect.Probe p) hosts.add(p.target().ip());
        }
        return hosts;
    }

    @Test
    void aForgedUpdateNaming400MadeUpNodesMakesUsProbeNoneOfThem() {
        Driver d = wired();
        int known = d.core.knownNodes().size();
        int mark = d.all.size();
        ConnId in = new ConnId(-40);
        d.on(new Event.Accepted(in, "10.0.0.66", 40001));
        // the origin is made up too (not the connection's address): nothing in the update can be checked
        d.on(new Event.LineReceived(in, forged("d1", new NodeId("10.0.0.77", 7000), 400)));
        d.advance(20_000);
        assertThat(contacted(d, mark)).noneMatch(h -> h.startsWith("10.77.") || h.equals("10.0.0.77"));
        assertThat(d.core.knownNodes()).hasSize(known);
        assertThat(d.core.unconfirmedCount()).isEqualTo(401);
        // the update itself is stored and flooded as the protocol says
        assertThat(d.core.linksOf(new NodeId("10.0.0.77", 7000))).hasSize(400);
        // the forger's own address as origin: it may be probed (it is the host that connected), its names not
        int mark2 = d.all.size();
        d.on(new Event.LineReceived(in, forged("d2", new NodeId("10.0.0.66", 7000), 400)));
        d.advance(20_000);
        assertThat(contacted(d, mark2)).noneMatch(h -> h.startsWith("10.77.")).contains("10.0.0.66");
        assertThat(d.core.knownNodes()).contains(new NodeId("10.0.0.66", 7000));
    }

    @Test
    void theUnconfirmedSetIsCappedAndCountsWhatItForgets() {
        Driver d = wired();
        ConnId in = new ConnId(-41);
        d.on(new Event.Accepted(in, "10.0.0.66", 40001));
        for (int u = 0; u < 3; u++) {
            List<Link> links = new ArrayList<>();
            NodeId origin = new NodeId("10.0.0." + (90 + u), 7000);
            for (int i = 0; i < 500; i++) links.add(new Link(origin, madeUp(u * 500 + i), 1));
            d.on(new Event.LineReceived(in, WireCodec.encode(new Message.PeerUpdate("e" + u, 1, origin, links))));
        }
        assertThat(d.core.unconfirmedCount()).isEqualTo(Confirmations.MAX_UNCONFIRMED);
        assertThat(d.core.counters().unconfirmedEvicted).isEqualTo(1503 - Confirmations.MAX_UNCONFIRMED);
    }

    @Test
    void aNodeAConfirmedNodeLinksToIsProbedAtOnceAndBecomesACandidate() {
        Driver d = wired();
        NodeId late = id(9);
        d.rtts.put(late, 5.0);
        d.features.put(late, List.of("hb", "data", "back"));
        ConnId in = new ConnId(-42);
        d.on(new Event.Accepted(in, "10.0.0.66", 40001));
        // 9 announces itself through a stranger: not checkable
        d.on(new Event.LineReceived(in, Driver.update("c0", 1, late, 10, id(2))));
        assertThat(d.core.knownNodes()).doesNotContain(late);
        // tracker-listed 3 links to 9: 3 vouches for it
        d.on(new Event.LineReceived(in, Driver.update("c1", 1, id(3), 10, id(2), late)));
        d.advance(2_000);
        assertThat(d.core.knownNodes()).contains(late);
        assertThat(d.core.measuredCost(late)).isEqualTo(5.0);
        assertThat(d.core.unconfirmedCount()).isZero();
    }

    @Test
    void aLateJoinersOwnUpdateFromItsOwnAddressMakesItACandidateButVouchesForNobody() {
        Driver d = wired();
        NodeId late = id(9);
        d.rtts.put(late, 5.0);
        ConnId in = new ConnId(-43);
        d.on(new Event.Accepted(in, "10.0.0.9", 40001));
        d.on(new Event.LineReceived(in, Driver.update("b1", 1, late, 10, id(2), id(11))));
        d.advance(2_000);
        assertThat(d.core.knownNodes()).contains(late).doesNotContain(id(11));
        assertThat(d.core.measuredCost(late)).isEqualTo(5.0);
    }

    /** REGs sent so far (each arms the REG deadline). */
    private static int regs(Driver d) {
        int n = 0;
        for (Effect e : d.all) if (e instanceof Effect.SetTimer t && t.key().equals(NodeTimers.REG_TIMEOUT)) n++;
        return n;
    }

    @Test
    void aSendToAnUnconfirmedNodeAsksTheTrackerEarlyAtMostOncePerIntervalAndWaits() {
        Driver d = wired();
        d.advance(10_000); // the join's REG counts too: one REG per interval at most
        int regs = regs(d);
        ConnId in = new ConnId(-44);
        d.on(new Event.Accepted(in, "10.0.0.66", 40001));
        d.on(new Event.LineReceived(in, Driver.update("a1", 1, new NodeId("10.0.0.70", 7000), 10, id(12))));
        d.advance(1_000);
        assertThat(regs(d)).isEqualTo(regs); // names alone ask nobody
        d.on(new NodeEvent.SendData("s1", id(12), new byte[] {1}));
        d.advance(100);
        assertThat(regs(d)).isEqualTo(regs + 1);
        assertThat(Driver.ofType(d.all, NodeEffect.DataFailed.class)).isEmpty(); // it waits for the answer
        // the tracker lists 12 (a real late joiner) but not 10.0.0.70: 12 is confirmed, the other stays unconfirmed
        d.rtts.put(id(12), 7.0);
        ConnId t = d.lastTrackerConn();
        d.on(new Event.Connected(t));
        List<NodeId> listed = List.of(id(1), id(2), id(3), id(4), id(5), id(12));
        d.on(new Event.LineReceived(t, WireCodec.encode(new Message.RegisterReply(listed, List.of()))));
        d.advance(1_000);
        assertThat(d.core.knownNodes()).contains(id(12)).doesNotContain(new NodeId("10.0.0.70", 7000));
        // another send to an unconfirmed node within the interval: no second early REG before it ends
        d.on(new NodeEvent.SendData("s2", new NodeId("10.0.0.70", 7000), new byte[] {1}));
        d.advance(5_000);
        assertThat(regs(d)).isEqualTo(regs + 1);
        d.on(new NodeEvent.SendData("s3", new NodeId("10.0.0.70", 7000), new byte[] {1}));
        d.advance(6_000);
        assertThat(regs(d)).isEqualTo(regs + 2);
    }
}
