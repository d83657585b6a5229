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

/**
 * The core's REG reply (assembled from cached pieces, OVER and NET parts cached apart) is exactly what the
 * wire layer's Segmenter produces for the current overlay, after any sequence of joins, updates and removals.
 */
class ReplyLinesProperties {

    private long conn = 1;

    @Property(tries = 30)
    void replyEqualsSegmenterOutputAfterEveryChange(
            @ForAll @IntRange(min = 1, max = 900) int nodes,
            @ForAll @IntRange(min = 0, max = 6) int linksPerNode,
            @ForAll @IntRange(min = 0, max = 300) int steps,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        TrackerConfig config = new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, 1000, 1_000_000, 100)
                .withAllowForeignIds(true);
        TrackerCore core = new TrackerCore(config, TrackerSnapshot.EMPTY);
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < nodes; i++) ids.add(register(core, randomId(rnd)));
        for (NodeId src : ids) update(core, src, ids, linksPerNode, rnd);
        assertReplyMatches(core);
        for (int step = 0; step < steps; step++) {
            switch (rnd.nextInt(4)) {
                case 0 -> ids.add(register(core, randomId(rnd))); // join
                case 1 -> update(core, ids.get(rnd.nextInt(ids.size())), ids, rnd.nextInt(5), rnd); // new links
                case 2 -> { // removal
                    NodeId victim = ids.get(rnd.nextInt(ids.size()));
                    line(core, "RMV@" + victim);
                    core.handle(0, new Event.TimerFired(TrackerCore.SWEEP_TIMER));
                    core.handle(0, new Event.ProbeResult(victim, -1));
                    core.handle(0, new Event.ProbeResult(victim, -1));
                }
                default -> {} // just ask
            }
            if (rnd.nextInt(3) == 0) assertReplyMatches(core);
        }
        assertReplyMatches(core);
    }

    private void assertReplyMatches(TrackerCore core) {
        NodeId asker = new NodeId("192.0.2.1", 9); // joins now, so it is part of the overlay it is told about
        List<String> sent = new ArrayList<>();
        for (Effect e : line(core, "REG@" + asker)) if (e instanceof Effect.Send send) sent.add(send.line());
        TrackerSnapshot s = core.snapshot();
        List<Link> all = new ArrayList<>();
        s.nodes().forEach(n -> all.addAll(n.links()));
        assertThat(sent).isEqualTo(Segmenter.replyLines(new Message.RegisterReply(s.ids(), all)));
    }

    private static NodeId randomId(Random rnd) {
        return new NodeId(
                rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256),
                1 + rnd.nextInt(65535));
    }

    private NodeId register(TrackerCore core, NodeId id) {
        line(core, "REG@" + id);
        return id;
    }

    private void update(TrackerCore core, NodeId src, List<NodeId> ids, int count, Random rnd) {
        List<Link> links = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            double cost = switch (rnd.nextInt(4)) {
                case 0 -> 500;
                case 1 -> rnd.nextDouble() * 1000;
                case 2 -> rnd.nextInt(100000) / 1000.0;
                default -> rnd.nextDouble() * 1e-6;
            };
            links.add(new Link(src, ids.get(rnd.nextInt(ids.size())), cost));
        }
        if (!links.isEmpty()) line(core, WireCodec.encode(new Message.TrackerUpdate(links)));
    }

    private List<Effect> line(TrackerCore core, String text) {
        return core.handle(0, new Event.LineReceived(new ConnId(conn++), text));
    }
}
