package io.egoist.wire;

import java.util.List;

/**
 * The tracker's reply to REG as lines: one REG line while it stays under PKT_LIMIT, otherwise OVER lines
 * then NET lines, each under PKT_LIMIT, all but the last of each kind marked with SEG. {@link Reassembler}
 * is the receiving side.
 */
public final class Segmenter {
    private Segmenter() {}

    public static List<String> replyLines(Message.RegisterReply reply) {
        throw new UnsupportedOperationException("TODO: segmentation");
    }
}
