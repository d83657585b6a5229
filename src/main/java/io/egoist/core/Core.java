package io.egoist.core;

import java.util.List;

/**
 * A protocol state machine without I/O: events in, effects out. Implementations are not thread-safe; a
 * runtime feeds one core from one thread (or event loop) at a time.
 */
public interface Core {

    /** Called once before any event; returns the first effects (e.g. timers, a registration). */
    List<Effect> start(long nowMillis);

    List<Effect> handle(long nowMillis, Event event);
}
