package io.egoist.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's side of {@link Segmenter}: fed the decoded lines of one tracker reply in order, it reports
 * {@link NeedMore} until the reply is complete ({@link Done}) or cannot be (a {@link Failed} is final).
 *
 * <p>Accepted sequences: one {@code REG...#...} line; or one or more {@code OVER} lines (all but the last
 * with SEG) followed by one or more {@code NET} lines (all but the last with SEG). Unlike v0.2, the links
 * carried by NET lines are kept. One instance per REG exchange; not thread-safe.
 */
public final class Reassembler {

    /** The outcome of feeding one message. */
    public sealed interface Result {}

    /** The reply is not complete yet: feed the next line. */
    public record NeedMore() implements Result {}

    /** The complete reply, in the order the tracker sent it. */
    public record Done(Message.RegisterReply reply) implements Result {}

    /** The sequence is malformed; the exchange failed and every later feed fails too. */
    public record Failed(String reason) implements Result {}

    private enum State {
        START,
        OVER,
        NET,
        DONE,
        FAILED
    }

    private static final NeedMore NEED_MORE = new NeedMore();

    private State state = State.START;
    private String failure;
    private final List<NodeId> nodes = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();

    /** Decodes {@code line} in the TRACKER_REPLY context and feeds it. Never throws. */
    public Result acceptLine(String line) {
        return accept(WireCodec.decode(WireCodec.Context.TRACKER_REPLY, line));
    }

    /** Feeds a decoding result; an error fails the exchange with "field: reason". */
    public Result accept(Decoded decoded) {
        if (decoded instanceof Decoded.Ok ok) return accept(ok.message());
        Decoded.Err e = (Decoded.Err) decoded;
        return fail("bad line: " + e.field() + ": " + e.reason());
    }

    /** Feeds the next message of the reply. */
    public Result accept(Message m) {
        if (state == State.FAILED) return new Failed(failure);
        if (state == State.DONE) return fail("line after the reply was complete");
        if (m instanceof Message.RegisterReply r) {
            if (state != State.START) return fail("one-line REG reply inside a segmented reply");
            state = State.DONE;
            return new Done(r);
        }
        if (m instanceof Message.OverlaySegment o) {
            if (state == State.NET) return fail("OVER segment after the last OVER segment");
            nodes.addAll(o.nodes());
            state = o.more() ? State.OVER : State.NET;
            return NEED_MORE;
        }
        if (m instanceof Message.NetSegment n) {
            if (state == State.START) return fail("NET segment before any OVER segment");
            if (state == State.OVER) return fail("NET segment before the last OVER segment");
            links.addAll(n.links());
            if (n.more()) return NEED_MORE;
            state = State.DONE;
            return new Done(new Message.RegisterReply(nodes, links));
        }
        if (m instanceof Message.Nack n) return fail("tracker sent NACK: " + n.reason());
        return fail("unexpected message in a tracker reply: " + m.getClass().getSimpleName());
    }

    /** True once a Done or Failed was reported. */
    public boolean finished() {
        return state == State.DONE || state == State.FAILED;
    }

    private Failed fail(String reason) {
        state = State.FAILED;
        failure = reason;
        return new Failed(reason);
    }
}
