package io.egoist.node.wiring;

import static io.egoist.node.Parts.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.node.Parts;
import io.egoist.node.linkstate.LinkStateDb;
import io.egoist.node.probe.Peer;
import io.egoist.sns.Graph;
import io.egoist.sns.WiringProblem;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The wiring's stateless decisions: filling a free slot, splitting a lost node's orphans. */
class ChoicesTest {

    /** Self 0 and candidates 1..3 (direct 10, 20, 30); 3 links to 1 and 2 at 1 ms, nobody else links. */
    private static WiringProblem problem() {
        Graph g = new Graph(4);
        g.setEdge(3, 1, 1);
        g.setEdge(3, 2, 1);
        return WiringProblem.delay(0, 2, new double[] {Double.NaN, 10, 20, 30}, g, new int[0]);
    }

    @Test
    void kClosestFillsWithTheClosestAndBrWithTheGreatestGain() {
        List<Integer> closest = new ArrayList<>();
        Choices.fill(problem(), closest, 1, "k-closest", new Random(1));
        assertThat(closest).containsExactly(1);
        List<Integer> best = new ArrayList<>();
        Choices.fill(problem(), best, 1, "br", new Random(1));
        // via 3 everyone is reached at 30 + 1: C = 30 + 31 + 31 = 92 < 10 + 2 penalties
        assertThat(best).containsExactly(3);
        assertThat(Choices.candidates(problem())).isEqualTo(3);
    }

    @Test
    void theInNeighborsOfALostNodeSplitItsOrphansByRank() {
        LinkStateDb db = new LinkStateDb(Parts.context(Parts.config(1)));
        // node 9 died; it was the only in-link of 6 and 7; nodes 1 (us) and 2 linked to 9
        accept(db, "a1", id(9), id(6), id(7));
        accept(db, "a2", id(2), id(9));
        LinkStateDb atTwo = new LinkStateDb(Parts.context(Parts.config(2)));
        accept(atTwo, "a1", id(9), id(6), id(7));
        accept(atTwo, "a3", id(1), id(9));
        Set<NodeId> none = Set.of();
        List<NodeId> ours = Choices.orphanShare(id(1), id(9), db, none, n -> new Peer(n, 0));
        List<NodeId> theirs = Choices.orphanShare(id(2), id(9), atTwo, none, n -> new Peer(n, 0));
        assertThat(ours).containsExactly(id(6));
        assertThat(theirs).containsExactly(id(7));
    }

    private static void accept(LinkStateDb db, String hash, NodeId src, NodeId... dsts) {
        List<Link> l = new ArrayList<>();
        for (NodeId d : dsts) l.add(new Link(src, d, 10));
        Message.PeerUpdate u = new Message.PeerUpdate(hash, 1, src, l);
        assertThat(db.accept(u, WireCodec.encode(u))).isEqualTo(LinkStateDb.Verdict.ACCEPTED);
    }
}
