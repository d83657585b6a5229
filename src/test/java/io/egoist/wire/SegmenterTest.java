package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.wire.Message.RegisterReply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmenterTest {

    /** n nodes 10.x.y.z:7000, each with k links to the next nodes (cost varies with the pair). */
    static RegisterReply overlay(int n, int k) {
        List<NodeId> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++)
            nodes.add(new NodeId("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 7000));
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 1; j <= k && j < n; j++)
                links.add(new Link(nodes.get(i), nodes.get((i + j) % n), 10 + i * 0.37 + j / 7.0));
        }
        return new RegisterReply(nodes, links);
    }

    static RegisterReply reassemble(List<String> lines) {
        Reassembler r = new Reassembler();
        for (int i = 0; i < lines.size(); i++) {
            Reassembler.Result res = r.acceptLine(lines.get(i));
            if (i < lines.size() - 1) assertThat(res).as("line %d", i).isInstanceOf(Reassembler.NeedMore.class);
            else {
                assertThat(res).isInstanceOf(Reassembler.Done.class);
                return ((Reassembler.Done) res).reply();
            }
        }
        throw new AssertionError("no lines");
    }

    @Test
    void smallReplyIsOneRegLine() {
        RegisterReply reply = overlay(3, 2);
        List<String> lines = Segmenter.replyLines(reply);
        assertThat(lines).containsExactly(WireCodec.encode(reply));
        assertThat(lines.get(0))
                .startsWith("REG@10.0.0.0:7000@10.0.0.1:7000@10.0.0.2:7000#@10.0.0.0:7000@10.0.0.1:7000@");
        assertThat(reassemble(lines)).isEqualTo(reply);
    }

    /** One node and links whose REG line is exactly {@code length} characters long. */
    static RegisterReply replyOfLength(int length) {
        NodeId a = NodeId.parse("10.0.0.1:7000");
        NodeId b = NodeId.parse("10.0.0.2:7000");
        int prefix = "REG@10.0.0.1:7000#".length();
        int link = "@10.0.0.1:7000@10.0.0.2:7000@1|".length();
        int count = (length - prefix) / link;
        int extra = length - prefix - count * link; // digits to add to the first cost: 1 -> 1000...
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < count; i++) links.add(new Link(a, b, i == 0 ? Math.pow(10, extra) : 1));
        return new RegisterReply(List.of(a), links);
    }

    @Test
    void replyOneShortOfPktLimitStaysOneLine() {
        RegisterReply under = replyOfLength(Seed.PKT_LIMIT - 1);
        String line = WireCodec.encode(under);
        assertThat(line).hasSize(Seed.PKT_LIMIT - 1);
        assertThat(Segmenter.replyLines(under)).containsExactly(line);
    }

    @Test
    void replyOfPktLimitIsSegmented() {
        RegisterReply at = replyOfLength(Seed.PKT_LIMIT);
        assertThat(WireCodec.encode(at)).hasSize(Seed.PKT_LIMIT);
        List<String> lines = Segmenter.replyLines(at);
        assertThat(lines).hasSizeGreaterThan(1);
        assertThat(lines.get(0)).isEqualTo("OVER@10.0.0.1:7000");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(Seed.PKT_LIMIT));
        assertThat(reassemble(lines)).isEqualTo(at);
    }

    @Test
    void largeReplyIsOverThenNetEachUnderPktLimitWithSegOnAllButLast() {
        RegisterReply reply = overlay(1200, 3);
        List<String> lines = Segmenter.replyLines(reply);
        int overs = 0, nets = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            assertThat(l.length()).isLessThan(Seed.PKT_LIMIT);
            if (l.startsWith("OVER")) {
                assertThat(nets).as("OVER after NET").isZero();
                overs++;
                boolean lastOver = !lines.get(i + 1).startsWith("OVER");
                assertThat(l.endsWith("SEG")).isEqualTo(!lastOver);
                assertThat(l).doesNotContain("#");
            } else {
                assertThat(l).startsWith("NET");
                nets++;
                assertThat(l.endsWith("|SEG")).isEqualTo(i < lines.size() - 1);
            }
        }
        assertThat(overs).isGreaterThan(1);
        assertThat(nets).isGreaterThan(1);
        assertThat(reassemble(lines)).isEqualTo(reply);
    }

    @Test
    void segmentedReplyWithoutLinksEndsWithBareNet() {
        RegisterReply reply = overlay(600, 0);
        List<String> lines = Segmenter.replyLines(reply);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("NET");
        assertThat(lines.get(lines.size() - 2)).startsWith("OVER").doesNotEndWith("SEG");
        assertThat(reassemble(lines)).isEqualTo(reply);
    }

    @Test
    void replyWithoutNodesIsRefused() {
        assertThatThrownBy(() -> Segmenter.replyLines(new RegisterReply(List.of(), List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
