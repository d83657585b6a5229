package io.egoist.node;

import static io.egoist.node.Driver.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.linkstate.SeqNumbers;
import io.egoist.wire.Decoded;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Self-originated link state heals itself: an update under our id with a sequence number ahead of ours (forged,
 * or our previous life's) is not flooded, and we announce at once past it, so it cannot silence us.
 */
class NodeOwnSequenceTest {
    private static final NodeId SELF = id(1);

    private static Driver wired() {
        Driver d = new Driver(Driver.config(1).withK(2).withPolicy("k-closest"));
        d.rtts.put(id(2), 10.0);
        d.rtts.put(id(3), 20.0);
        d.join(List.of(id(2), id(3)), List.of());
        d.advance(2_000);
        assertThat(d.core.ownSequence()).isNotNegative();
        return d;
    }

    private static List<Message.PeerUpdate> updates(List<Effect> e) {
        return Driver.lines(e).stream()
                .filter(l -> l.startsWith("UPT@"))
                .map(l ->
                        (Message.PeerUpdate) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, l)).message())
                .toList();
    }

    private static List<Effect> forge(Driver d, String hash, int seq) {
        ConnId in = new ConnId(-40 - seq % 7);
        d.on(new Event.Accepted(in, "10.0.0.66", 40066));
        return d.on(new Event.LineReceived(in, Driver.update(hash, seq, SELF, 1, id(3))));
    }

    @Test
    void anUpdateUnderOurIdAheadOfOursIsNotFloodedAndWeAnnouncePastItAtOnce() {
        Driver d = wired();
        int own = d.core.ownSequence();
        int forged = (own + 1000) % 5000;
        List<Message.PeerUpdate> out = updates(forge(d, "f0f0", forged));
        assertThat(out).isNotEmpty().allSatisfy(u -> {
            assertThat(u.source()).isEqualTo(SELF);
            assertThat(u.seq()).isEqualTo((forged + 1) % 5000);
            assertThat(u.hash()).isNotEqualTo("f0f0");
        });
        assertThat(d.core.ownSequence()).isEqualTo((forged + 1) % 5000);
        assertThat(SeqNumbers.newer(d.core.ownSequence(), forged)).isTrue();
        assertThat(d.core.counters().ownSeqAhead).isEqualTo(1);
        // one behind ours, or ours coming back around: nothing happens
        assertThat(updates(forge(d, "f0f1", forged))).isEmpty();
    }

    @Test
    void theJumpWrapsModulo5000() {
        Driver d = wired();
        int own = d.core.ownSequence();
        int forged = (own + 2400) % 5000; // ahead by serial arithmetic, whatever own is
        forge(d, "f1f1", forged);
        int after = d.core.ownSequence();
        assertThat(after).isEqualTo((forged + 1) % 5000);
        forge(d, "f2f2", 4999);
        if (SeqNumbers.newer(4999, after)) assertThat(d.core.ownSequence()).isZero(); // 4999 + 1 wraps to 0
        else assertThat(d.core.ownSequence()).isEqualTo(after);
    }
}
