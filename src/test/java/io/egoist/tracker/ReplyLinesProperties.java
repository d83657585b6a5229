package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.Segmenter;
import io.egoist.wire.WireCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The core's REG reply (assembled from cached pieces) is exactly what the wire layer's Segmenter produces. */
class ReplyLinesProperties {

    @Property(tries = 40)
    void replyEqualsSegmenterOutput(@ForAll @IntRange(min = 1, max = 1200) int nodes,
                                    @ForAll @IntRange(min = 0, max = 6) int linksPerNode,
                                    @ForAll @IntRange(min = 0, max = 400) int removals,
                                    @ForAll long seed) {
        Random rnd = new Random(seed);
        TrackerConfig config = new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, 1000, 1_000_000, 100);
        TrackerCore core = new TrackerCore(config, TrackerSnapshot.EMPTY);
        List<NodeId> ids = new ArrayList<>();
        long conn = 1;
        for (int i = 0; i < nodes; i++) {
            NodeId id = new NodeId(rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256),
                    1 + rnd.nextInt(65535));
            ids.add(id);
            core.handle(0, new Event.LineReceived(new ConnId(conn++), "REG@" + id));
        }
        for (NodeId src : ids) {
            List<Link> links = new ArrayList<>();
            for (int k = 0; k < linksPerNode; k++) {
                double cost = switch (rnd.nextInt(4)) {
                    case 0 -> 500;
                    case 1 -> rnd.nextDouble() * 1000;
                    case 2 -> rnd.nextInt(100000) / 1000.0;
                    default -> rnd.nextDouble() * 1e-6;
                };
                links.add(new Link(src, ids.get(rnd.nextInt(ids.size())), cost));
            }
            if (!links.isEmpty()) core.handle(0, new Event.LineReceived(new ConnId(conn++), WireCodec.encode(new Message.TrackerUpdate(links))));
        }
        // some removals (expiry of everything not refreshed would remove all; use RMV + failed probes instead)
        for (int r = 0; r < Math.min(removals, nodes - 1); r++) {
            NodeId victim = ids.get(rnd.nextInt(ids.size()));
            core.handle(0, new Event.LineReceived(new ConnId(conn++), "RMV@" + victim));
            core.handle(0, new Event.TimerFired(TrackerCore.SWEEP_TIMER));
            core.handle(0, new Event.ProbeResult(victim, -1));
            core.handle(0, new Event.ProbeResult(victim, -1));
        }
        TrackerSnapshot s = core.snapshot();
        NodeId asker = s.ids().get(0);
        List<String> sent = new ArrayList<>();
        for (Effect e : core.handle(0, new Event.LineReceived(new ConnId(conn), "REG@" + asker))) {
            if (e instanceof Effect.Send send) sent.add(send.line());
        }
        List<Link> all = new ArrayList<>();
        s.nodes().forEach(n -> all.addAll(n.links()));
        assertThat(sent).isEqualTo(Segmenter.replyLines(new Message.RegisterReply(s.ids(), all)));
    }
}
