package io.egoist.compat;

import static io.egoist.compat.OurNodes.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.compat.V02Node.Config;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.wire.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The v0.2 wrap defect, as docs/COMPATIBILITY.md documents it, on real loopback sockets: our node o1 links to a
 * v0.2 node ({@link V02Node}: strict {@code seq > last}, never forgets {@code last}) and to our node o2. When o1's
 * counter passes 4999 -> 0, the v0.2 node accepts every update of o1 up to 4999 and none after (until it restarts),
 * while o2 (serial arithmetic) keeps accepting them; o1 logs one warning before the wrap.
 *
 * <p>o1's counter is brought near the wrap without 5000 announcements: updates under its own id ahead of it (each
 * under half the number space ahead, so every receiver takes o1's next number as newer) make it jump past them,
 * as the self-healing re-announcement does for a forged or previous-life number.
 */
class SequenceWrapWithV02Test {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final Closer closer = new Closer();

    private static List<Integer> seqsFrom(List<String> lines, String source) {
        List<Integer> seqs = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.split("@");
            if (f.length > 3 && f[0].equals("UPT") && f[3].equals(source)) seqs.add(Integer.parseInt(f[2]));
        }
        return seqs;
    }

    @Test
    void aV02PeerIgnoresOurUpdatesAfterTheWrapWhileOurNodesFollowIt() throws Exception {
        int tp = closer.track(V02Tracker.start(Duration.ofSeconds(60))).port();
        // first, so that our nodes find it in their REG replies (a v0.2 tracker answers a refresh with "")
        V02Node v = closer.track(V02Node.start(tp, Config.of(0))); // links to nobody; answers probes
        EgoistNode o1 = closer.track(OurNodes.start(OurNodes.config(tp, 2)));
        await().atMost(WAIT).until(() -> !OurNodes.status(o1).phase().equals("JOINING"));
        EgoistNode o2 = closer.track(OurNodes.start(OurNodes.config(tp, 2)));
        String s1 = id(o1);
        NodeId v02 = NodeId.parse(v.id());
        await().atMost(WAIT)
                .until(() -> OurNodes.neighbors(o1).containsAll(List.of(v.id(), id(o2)))
                        && OurNodes.features(o1, v02) != null
                        && OurNodes.features(o1, v02).isEmpty());
        await().atMost(WAIT).until(() -> !seqsFrom(v.acceptedUpdates(), s1).isEmpty());
        assertThat(seqsFrom(v.acceptedUpdates(), s1).get(0)).isZero(); // our first number, as v0.2's

        try (RawLine c = new RawLine(o1.id().port())) {
            int[] steps = {2000, 4000, 4990};
            for (int i = 0; i < steps.length; i++) {
                int s = steps[i];
                c.send("UPT@" + V02Wire.sha1Hex("own" + s) + "@" + s + "@" + s1 + "@" + id(o2) + "@1.0|");
                await().atMost(WAIT).until(() -> OurNodes.read(o1, core -> core.ownSequence()) > s);
            }
        }
        // 4991 is within 100 of the wrap and a v0.2 peer is known: warned, once
        assertThat((long) OurNodes.<Long>read(o1, core -> core.counters().wrapWarnings))
                .isEqualTo(1);
        // one announcement a second (announce refresh 1 s): past the wrap in about 10 s
        await().atMost(WAIT).until(() -> {
            int now = OurNodes.read(o1, core -> core.ownSequence());
            return now >= 3 && now < 100;
        });
        int now = OurNodes.read(o1, core -> core.ownSequence());
        // ours follow it across the wrap
        await().atMost(WAIT)
                .until(() -> OurNodes.read(o2, core -> core.lastSeq(NodeId.parse(s1))) >= 3
                        && OurNodes.read(o2, core -> core.lastSeq(NodeId.parse(s1))) < 100);
        // the v0.2 node: received the updates after the wrap, accepted none of them
        await().atMost(WAIT).until(() -> seqsFrom(v.mainLines(), s1).contains(now));
        List<Integer> accepted = seqsFrom(v.acceptedUpdates(), s1);
        // (o2 floods o1's updates to it too: each number arrives up to twice, the copy dropped as seen)
        List<Integer> received = seqsFrom(v.mainLines().stream().distinct().toList(), s1);
        int wrap = received.indexOf(4999);
        assertThat(wrap).isPositive();
        assertThat(accepted).as("every update up to 4999, none after").isEqualTo(received.subList(0, wrap + 1));
        assertThat(received.subList(wrap + 1, received.size())).startsWith(0, 1, 2, 3);
        // still one warning: once per approach to the wrap
        assertThat((long) OurNodes.<Long>read(o1, core -> core.counters().wrapWarnings))
                .isEqualTo(1);
    }
}
