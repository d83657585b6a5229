package io.egoist.tunnel;

import io.egoist.node.routing.RouteMode;
import io.egoist.runtime.FrameSplitter;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A flow's routing mode rides in the lowest bit of its random 64-bit id (0: {@link RouteMode#BEST}, 1: {@link
 * RouteMode#OVERLAY}), which the source chooses. So both ends of a flow originate their frames in the forward's
 * mode (the destination's reply end reads it from the id) without a new field on the wire; relays ignore it and
 * forward along their overlay routes. A stranger choosing the bit only chooses how our replies to it are routed.
 */
final class FlowModes {
    private FlowModes() {}

    /** A new random flow id whose lowest bit says {@code mode}. */
    static long newFlowId(RouteMode mode) {
        long f = ThreadLocalRandom.current().nextLong();
        return mode == RouteMode.OVERLAY ? f | 1L : f & ~1L;
    }

    static boolean best(long flow) {
        return (flow & 1L) == 0;
    }

    static RouteMode mode(long flow) {
        return best(flow) ? RouteMode.BEST : RouteMode.OVERLAY;
    }

    /** The flow id of a whole frame (marker, length, body as {@link Frames#header} writes it). */
    static long flowOf(ByteBuf frame) {
        return frame.getLong(frame.readerIndex() + FrameSplitter.PREFIX + 15);
    }
}
