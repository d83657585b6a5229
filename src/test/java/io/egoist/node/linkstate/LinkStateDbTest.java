package io.egoist.node.linkstate;

import static io.egoist.node.Parts.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.node.NodeConfig;
import io.egoist.node.NodeContext;
import io.egoist.node.Parts;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The link-state database alone: our announcements, freshness, duplicates, catch-up. */
class LinkStateDbTest {
    private final NodeConfig cfg = Parts.config(1);
    private final NodeContext ctx = Parts.context(cfg);
    private final LinkStateDb db = new LinkStateDb(ctx);

    private static List<Link> links(double c2, double c3) {
        return List.of(new Link(id(1), id(2), c2), new Link(id(1), id(3), c3));
    }

    private static Message.PeerUpdate decode(String line) {
        return (Message.PeerUpdate) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
    }

    private static String update(String hash, int seq, NodeId src, NodeId... dsts) {
        List<Link> l = new java.util.ArrayList<>();
        for (NodeId d : dsts) l.add(new Link(src, d, 10));
        return WireCodec.encode(new Message.PeerUpdate(hash, seq, src, l));
    }

    @Test
    void anAnnouncementIsDueOnAChangeOfLinksOrACostMovedByMoreThanTenPercent() {
        String first = db.announce(links(100, 200));
        assertThat(first).isNotNull();
        assertThat(decode(first).seq()).isEqualTo(SeqNumbers.FIRST).isZero(); // as v0.2's first
        assertThat(db.announce(links(100, 200))).isNull();
        assertThat(db.announce(links(109, 200))).as("9 %% is noise").isNull();
        String moved = db.announce(links(111, 200));
        assertThat(moved).as("11 %% is a change").isNotNull();
        assertThat(decode(moved).seq()).isEqualTo(decode(first).seq() + 1);
        assertThat(db.announce(links(111, 200).subList(0, 1))).as("a link less").isNotNull();
        assertThat(db.ownLinks()).hasSize(1);
    }

    @Test
    void aRefreshIsDueAfterTheRefreshPeriodEvenWithoutAChange() {
        db.announce(links(100, 200));
        Parts.at(ctx, ctx.now() + cfg.announceRefreshMs());
        assertThat(db.announce(links(100, 200))).isNotNull();
    }

    @Test
    void updatesAreTakenWhenNewerByTheSerialOrderAndEachHashOnce() {
        String u1 = update("a1", 4998, id(5), id(6));
        assertThat(db.accept(decode(u1), u1)).isEqualTo(LinkStateDb.Verdict.ACCEPTED);
        assertThat(db.accept(decode(u1), u1)).isEqualTo(LinkStateDb.Verdict.DUPLICATE);
        assertThat(db.seenBefore(u1)).isTrue();
        String wrapped = update("a2", 3, id(5), id(7));
        assertThat(db.accept(decode(wrapped), wrapped)).isEqualTo(LinkStateDb.Verdict.ACCEPTED);
        assertThat(db.lastSeq(id(5))).isEqualTo(3);
        String old = update("a3", 4999, id(5), id(6));
        assertThat(db.accept(decode(old), old)).isEqualTo(LinkStateDb.Verdict.STALE);
        assertThat(db.linksOf(id(5))).extracting(Link::dst).containsExactly(id(7));
        db.onEraseTimer();
        assertThat(db.seenBefore(u1)).isFalse();
    }

    @Test
    void aSelfLinkIsLeftOutAndTheRestOfTheUpdateIsStored() {
        String u = update("b1", 7, id(5), id(6), id(5));
        assertThat(LinkStateDb.problem(decode(u))).isNull();
        assertThat(db.accept(decode(u), u)).isEqualTo(LinkStateDb.Verdict.ACCEPTED);
        assertThat(db.linksOf(id(5))).extracting(Link::dst).containsExactly(id(6));
        assertThat(db.catchUpLines(id(9))).containsExactly(u); // flooded as received
    }

    @Test
    void anUnusableUpdateIsDroppedAndCounted() {
        String u = WireCodec.encode(
                new Message.PeerUpdate("b2", 7, id(5), List.of(new Link(id(5), id(6), 1), new Link(id(5), id(6), 2))));
        assertThat(db.accept(decode(u), u)).isEqualTo(LinkStateDb.Verdict.DROPPED);
        assertThat(ctx.counters().updatesDropped).isEqualTo(1);
        assertThat(db.sources()).isEmpty();
    }

    @Test
    void ourOwnIdAheadOfUsForcesTheNextAnnouncementPastIt() {
        String first = db.announce(links(100, 200));
        int own = decode(first).seq();
        int ahead = (own + 100) % 5000;
        String forged = update("c0", ahead, id(1), id(2));
        assertThat(db.accept(decode(forged), forged)).isEqualTo(LinkStateDb.Verdict.OWN_AHEAD);
        assertThat(db.accept(decode(forged), forged)).isEqualTo(LinkStateDb.Verdict.DUPLICATE);
        String next = db.announce(links(100, 200)); // same links: due anyway
        assertThat(decode(next).seq()).isEqualTo((ahead + 1) % 5000);
        String behind = update("c1", own, id(1), id(2));
        assertThat(db.accept(decode(behind), behind)).isEqualTo(LinkStateDb.Verdict.DUPLICATE);
        assertThat(db.announce(links(100, 200))).isNull();
    }

    @Test
    void beforeOurFirstAnnouncementAnIdAheadRaisesOurFirstNumber() {
        int ahead = (SeqNumbers.FIRST + 2000) % 5000;
        String forged = update("c2", ahead, id(1), id(2));
        assertThat(db.accept(decode(forged), forged)).isEqualTo(LinkStateDb.Verdict.DUPLICATE);
        assertThat(decode(db.announce(links(100, 200))).seq()).isEqualTo((ahead + 1) % 5000);
    }

    @Test
    void theJumpPastOurOwnIdWrapsModulo5000() {
        String forged = update("c3", 2000, id(1), id(2)); // before our first: it raises our first number
        db.accept(decode(forged), forged);
        assertThat(decode(db.announce(links(100, 200))).seq()).isEqualTo(2001);
        for (int seq : new int[] {4000, 4998}) {
            String ahead = update("c" + seq, seq, id(1), id(2));
            assertThat(db.accept(decode(ahead), ahead)).isEqualTo(LinkStateDb.Verdict.OWN_AHEAD);
            assertThat(decode(db.announce(links(100, 200))).seq()).isEqualTo(seq + 1);
        }
        String notAhead = update("c5", 4999, id(1), id(2));
        assertThat(db.accept(decode(notAhead), notAhead)).isEqualTo(LinkStateDb.Verdict.DUPLICATE);
        String wrapped = update("c6", 3, id(1), id(2)); // 4999 -> 3 is ahead by serial arithmetic
        assertThat(db.accept(decode(wrapped), wrapped)).isEqualTo(LinkStateDb.Verdict.OWN_AHEAD);
        assertThat(decode(db.announce(links(100, 200))).seq()).isEqualTo(4);
    }

    @Test
    void trackerLinksFillOnlySourcesWithoutAFloodedUpdate() {
        String u = update("c1", 10, id(5), id(6));
        db.accept(decode(u), u);
        List<NodeId> named = db.mergeTrackerLinks(
                List.of(new Link(id(5), id(9), 1), new Link(id(4), id(8), 1), new Link(id(1), id(2), 1)));
        assertThat(named).containsExactly(id(8));
        assertThat(db.linksOf(id(5))).extracting(Link::dst).containsExactly(id(6));
        assertThat(db.lastSeq(id(4))).isEqualTo(-1);
        assertThat(db.catchUpLines(id(9))).containsExactly(u); // tracker-derived state has no line to replay
        assertThat(db.catchUpLines(id(5))).isEmpty();
    }
}
