package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.wire.Reassembler.Done;
import io.egoist.wire.Reassembler.Failed;
import io.egoist.wire.Reassembler.NeedMore;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReassemblerTest {

    static final NodeId A = NodeId.parse("10.0.0.1:1");
    static final NodeId B = NodeId.parse("10.0.0.2:2");
    static final NodeId C = NodeId.parse("10.0.0.3:3");

    @Test
    void oneLineReplyIsDoneAtOnce() {
        Reassembler r = new Reassembler();
        assertThat(r.acceptLine("REG@10.0.0.1:1#@10.0.0.1:1@10.0.0.2:2@5|"))
                .isEqualTo(new Done(new Message.RegisterReply(List.of(A), List.of(new Link(A, B, 5)))));
        assertThat(r.finished()).isTrue();
    }

    @Test
    void segmentedReplyAsAV02TrackerSendsItKeepsTheNetLinks() {
        Reassembler r = new Reassembler();
        assertThat(r.acceptLine("OVER@10.0.0.1:1@10.0.0.2:2SEG")).isInstanceOf(NeedMore.class);
        assertThat(r.acceptLine("OVER@10.0.0.3:3")).isInstanceOf(NeedMore.class);
        assertThat(r.acceptLine("NET@10.0.0.1:1@10.0.0.2:2@35.2|@10.0.0.2:2@10.0.0.3:3@500|SEG"))
                .isInstanceOf(NeedMore.class);
        assertThat(r.acceptLine("NET@10.0.0.3:3@10.0.0.1:1@1e-05|"))
                .isEqualTo(new Done(new Message.RegisterReply(
                        List.of(A, B, C), List.of(new Link(A, B, 35.2), new Link(B, C, 500), new Link(C, A, 1e-05)))));
    }

    @Test
    void bareNetEndsTheReply() {
        Reassembler r = new Reassembler();
        r.acceptLine("OVER@10.0.0.1:1");
        r.acceptLine("NET@10.0.0.1:1@10.0.0.2:2@1|SEG");
        assertThat(r.acceptLine("NET"))
                .isEqualTo(new Done(new Message.RegisterReply(List.of(A), List.of(new Link(A, B, 1)))));
    }

    @Test
    void netBeforeOverFails() {
        assertThat(new Reassembler().acceptLine("NET")).isInstanceOf(Failed.class);
    }

    @Test
    void netBeforeTheLastOverFails() {
        Reassembler r = new Reassembler();
        r.acceptLine("OVER@10.0.0.1:1SEG");
        assertThat(r.acceptLine("NET")).isInstanceOf(Failed.class);
    }

    @Test
    void overAfterTheLastOverFails() {
        Reassembler r = new Reassembler();
        r.acceptLine("OVER@10.0.0.1:1");
        assertThat(r.acceptLine("OVER@10.0.0.2:2")).isInstanceOf(Failed.class);
    }

    @Test
    void regLineAfterOverFails() {
        Reassembler r = new Reassembler();
        r.acceptLine("OVER@10.0.0.1:1SEG");
        assertThat(r.acceptLine("REG@10.0.0.1:1#")).isInstanceOf(Failed.class);
    }

    @Test
    void segmentAfterCompletionFails() {
        Reassembler r = new Reassembler();
        r.acceptLine("OVER@10.0.0.1:1");
        assertThat(r.acceptLine("NET")).isInstanceOf(Done.class);
        Reassembler.Result after = r.acceptLine("NET");
        assertThat(after).isInstanceOf(Failed.class);
        assertThat(((Failed) after).reason()).contains("complete");
    }

    @Test
    void failureIsFinal() {
        Reassembler r = new Reassembler();
        Reassembler.Result first = r.acceptLine("NET");
        assertThat(r.acceptLine("REG@10.0.0.1:1#")).isEqualTo(first);
        assertThat(r.finished()).isTrue();
    }

    @Test
    void emptyReplyAndNackAndGarbageFailWithTheReason() {
        assertThat(((Failed) new Reassembler().acceptLine("")).reason()).contains("empty reply");
        assertThat(((Failed) new Reassembler().acceptLine("NACK@node: port out of range: 0")).reason())
                .contains("port out of range");
        assertThat(((Failed) new Reassembler().acceptLine("OVER@10.0.0.1:99999")).reason())
                .contains("node[0]");
    }

    @Test
    void unrelatedMessageFails() {
        assertThat(new Reassembler().accept(new Message.Teardown())).isInstanceOf(Failed.class);
    }
}
