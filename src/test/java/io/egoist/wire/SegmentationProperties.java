package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Overlays of 1 to 5,000 nodes go through Segmenter, the line decoder and the Reassembler and come out equal;
 * every line stays under PKT_LIMIT. Overlays are built from a seed (not by jqwik's list generators) so that a
 * 5,000-node case costs milliseconds.
 */
class SegmentationProperties {

    static Message.RegisterReply overlay(int n, int linksPerNode, long seed) {
        Random r = new Random(seed);
        List<NodeId> nodes = new ArrayList<>(n);
        java.util.Set<NodeId> seen = new java.util.HashSet<>();
        while (nodes.size() < n) {
            NodeId id = new NodeId(
                    r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256),
                    1 + r.nextInt(65535));
            if (seen.add(id)) nodes.add(id);
        }
        List<Link> links = new ArrayList<>(n * linksPerNode);
        for (NodeId src : nodes) {
            for (int j = 0; j < linksPerNode && n > 1; j++) {
                NodeId dst = nodes.get(r.nextInt(n));
                links.add(new Link(src, dst, cost(r)));
            }
        }
        return new Message.RegisterReply(nodes, links);
    }

    static double cost(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return Seed.BOOT_DELAY;
            case 1:
                return r.nextInt(1000);
            case 2:
                return Double.longBitsToDouble(r.nextLong() & 0x7FEFFFFFFFFFFFFFL); // any magnitude
            default:
                return r.nextDouble() * 400;
        }
    }

    static void roundTrip(Message.RegisterReply reply) {
        List<String> lines = Segmenter.replyLines(reply);
        Reassembler re = new Reassembler();
        Reassembler.Result last = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertThat(line.length()).as("line %d", i).isLessThan(Seed.PKT_LIMIT);
            assertThat(last).as("result before line %d", i).isIn(null, new Reassembler.NeedMore());
            last = re.acceptLine(line);
        }
        assertThat(last).isEqualTo(new Reassembler.Done(reply));
        if (lines.size() == 1) assertThat(lines.get(0)).startsWith("REG@");
        else assertThat(WireCodec.encode(reply).length()).isGreaterThanOrEqualTo(Seed.PKT_LIMIT);
    }

    @Property(tries = 60)
    void overlaysOfOneToFiveThousandNodesRoundTrip(
            @ForAll @IntRange(min = 1, max = 5000) int nodes,
            @ForAll @IntRange(min = 0, max = 4) int linksPerNode,
            @ForAll long seed) {
        roundTrip(overlay(nodes, linksPerNode, seed));
    }

    @Example
    void fiveThousandNodesWithThreeLinksEachRoundTrip() {
        Message.RegisterReply reply = overlay(5000, 3, 42);
        assertThat(reply.links()).hasSize(15000);
        roundTrip(reply);
    }

    @Example
    void singleNodeRoundTrips() {
        roundTrip(overlay(1, 3, 7));
    }
}
