package io.egoist.runtime;

/**
 * Latency emulation hook: the one-way delay, in milliseconds, to add to every line that travels between this
 * side and the peer listening on {@code host:port}.
 *
 * <p>Rule: <b>the side that opened a connection emulates both directions</b>: it holds each line it writes
 * back by the delay before writing it, and holds each line it reads by the delay before handing it on. The
 * accepting side adds nothing. This gives every line exactly one one-way delay (half the pair's round-trip
 * time when the delay is RTT/2) although the accepting side cannot tell, on loopback, which node an ephemeral
 * source port belongs to. The delay is looked up again for every line (a mapping may be learned late, e.g.
 * from the tracker's node list); lines of one connection are never reordered by a change of delay.
 */
@FunctionalInterface
public interface OutboundDelay {

    /** No emulation. */
    OutboundDelay NONE = (host, port) -> 0;

    /** Delay in ms (fractions allowed) for lines to or from the peer at {@code host:port} (a main or an echo port); 0 for none. */
    double delayMillis(String host, int port);

    /**
     * Whether a connection this side opens to {@code host:port} is refused by the emulation (an emulated firewall
     * in front of that port, for this side only): the connect fails at once as if the peer's kernel refused it.
     * None by default.
     */
    default boolean refusesConnect(String host, int port) {
        return false;
    }
}
