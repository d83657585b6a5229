package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Segmenter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A UPT costs the links that changed: unchanged links keep their pieces, and the reverse index stays right. */
class OverlayTest {
    private final Overlay overlay = new Overlay();

    private NodeEntry join(String ip) {
        NodeEntry e = new NodeEntry(new NodeId(ip, 7000), 0);
        overlay.add(e);
        return e;
    }

    private static Link link(NodeEntry src, NodeEntry dst, double cost) {
        // fresh NodeId instances, as the decoder makes them
        return new Link(new NodeId(src.id.ip(), src.id.port()), new NodeId(dst.id.ip(), dst.id.port()), cost);
    }

    @Test
    void unchangedLinksKeepTheirPiecesAndChangedOnesAreEncodedAgain() {
        NodeEntry a = join("10.0.0.1"), b = join("10.0.0.2"), c = join("10.0.0.3"), d = join("10.0.0.4");
        overlay.setLinks(a, List.of(link(a, b, 10), link(a, c, 20)));
        String[] first = a.linkPieces.clone();

        overlay.setLinks(a, List.of(link(a, c, 20), link(a, b, 11), link(a, d, 5)));

        assertThat(a.linkPieces[0]).isSameAs(first[1]); // a->c unchanged (moved): the same piece
        assertThat(a.linkPieces[1])
                .isEqualTo("@10.0.0.1:7000@10.0.0.2:7000@11|")
                .isNotSameAs(first[0]);
        assertThat(a.linkPieces[2]).isEqualTo("@10.0.0.1:7000@10.0.0.4:7000@5|");
        // the links use the registered id instances
        assertThat(a.links.get(1).dst()).isSameAs(b.id);
        assertThat(a.links.get(2).src()).isSameAs(a.id);
        assertThat(overlay.linkCount()).isEqualTo(3);
        assertReplyMatches();
    }

    @Test
    void removingANodeDropsExactlyTheLinksThatStillPointToIt() {
        NodeEntry a = join("10.0.0.1"), b = join("10.0.0.2"), c = join("10.0.0.3"), d = join("10.0.0.4");
        overlay.setLinks(a, List.of(link(a, b, 10), link(a, c, 20)));
        overlay.setLinks(d, List.of(link(d, b, 1)));
        // a keeps its link to b (new cost), drops c, adds d
        overlay.setLinks(a, List.of(link(a, b, 12), link(a, d, 3)));

        List<NodeEntry> changedByC = overlay.remove(c);
        assertThat(changedByC).isEmpty(); // nobody links to c any more

        List<NodeEntry> changedByB = overlay.remove(b);
        assertThat(changedByB).containsExactlyInAnyOrder(a, d);
        assertThat(a.links).extracting(Link::dst).containsExactly(d.id);
        assertThat(d.links).isEmpty();
        assertThat(overlay.linkCount()).isEqualTo(1);
        assertReplyMatches();
    }

    @Test
    void aDestinationListedTwiceStaysIndexedUntilTheLastLinkToItGoes() {
        NodeEntry a = join("10.0.0.1"), b = join("10.0.0.2");
        overlay.setLinks(a, List.of(link(a, b, 1), link(a, b, 2)));
        overlay.setLinks(a, List.of(link(a, b, 2)));
        assertThat(overlay.remove(b)).containsExactly(a);
        assertThat(a.links).isEmpty();
        assertReplyMatches();
    }

    @Test
    void linksToANodeMadeBeforeItRegisteredAreDroppedWhenItIsRemoved() {
        NodeEntry a = join("10.0.0.1"), b = join("10.0.0.2");
        NodeEntry later = new NodeEntry(new NodeId("10.0.0.9", 7000), 0); // not registered yet
        overlay.setLinks(a, List.of(link(a, later, 4), link(a, b, 1)));
        overlay.setLinks(b, List.of(link(b, later, 2)));
        assertThat(a.linkDsts).containsExactly(null, b); // the reverse index of 10.0.0.9 waits for it by id

        overlay.add(later);
        assertThat(a.linkDsts).containsExactly(later, b); // its entry now carries the links made before
        assertThat(b.linkDsts).containsExactly(later);
        overlay.setLinks(b, List.of(link(b, later, 3))); // a changed cost to it keeps it indexed

        assertThat(overlay.remove(later)).containsExactly(a, b); // in the order they first linked to it
        assertThat(a.links).extracting(Link::dst).containsExactly(b.id);
        assertThat(b.links).isEmpty();
        assertThat(overlay.linkCount()).isEqualTo(1);
        assertThat(overlay.remove(b)).containsExactly(a);
        assertThat(a.links).isEmpty();
        assertReplyMatches();
    }

    @Test
    void aNodeThatDroppedItsLastLinkToAnUnregisteredIdIsNotChangedWhenThatIdComesAndGoes() {
        NodeEntry a = join("10.0.0.1");
        NodeEntry x = new NodeEntry(new NodeId("10.0.0.8", 7000), 0);
        overlay.setLinks(a, List.of(link(a, x, 4)));
        overlay.setLinks(a, List.of());
        overlay.add(x);
        assertThat(overlay.remove(x)).isEmpty();
        assertThat(overlay.linkCount()).isZero();
        assertReplyMatches();
    }

    @Test
    void theLazyReverseIndexStaysBoundedWhileLinksComeAndGoAndRemovalFindsExactlyTheLiveOnes() {
        NodeEntry a = join("10.0.0.1"), b = join("10.0.0.2"), c = join("10.0.0.3"), d = join("10.0.0.4");
        overlay.setLinks(d, List.of(link(d, b, 1)));
        for (int i = 0; i < 1_000; i++) { // a flaps between b and c: each UPT appends to the new destination's list
            overlay.setLinks(a, List.of(link(a, i % 2 == 0 ? b : c, i)));
            overlay.setLinks(c, List.of(link(c, i % 2 == 0 ? b : a, i)));
        }
        // live: d->b, a->c, c->a (i = 999 is odd); each list within twice its live size plus the minimum
        assertThat(overlay.linkedFromSize(b)).isLessThanOrEqualTo(2 * 1 + 8);
        assertThat(overlay.linkedFromSize(c)).isLessThanOrEqualTo(2 * 1 + 8);
        assertThat(overlay.remove(b)).containsExactly(d); // a and c no longer link to b: unchanged
        assertThat(a.links).extracting(Link::dst).containsExactly(c.id);
        assertThat(overlay.remove(c)).containsExactly(a);
        assertThat(a.links).isEmpty();
        assertThat(overlay.linkCount()).isZero();
        assertReplyMatches();
    }

    private void assertReplyMatches() {
        List<NodeId> ids = new ArrayList<>();
        List<Link> all = new ArrayList<>();
        for (NodeEntry e : overlay.entries()) {
            ids.add(e.id);
            all.addAll(e.links);
        }
        assertThat(overlay.replyLines()).isEqualTo(Segmenter.replyLines(new Message.RegisterReply(ids, all)));
    }
}
