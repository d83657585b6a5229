package io.egoist.runtime;

import io.egoist.core.Core;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/** A toy core for runtime tests: records what it is fed (and on which thread) and answers by a script. */
final class ScriptedCore implements Core {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final List<Long> nows = new CopyOnWriteArrayList<>();
    private final LongFunction<List<Effect>> onStart;
    private final BiFunction<Long, Event, List<Effect>> onEvent;
    volatile int handled;

    ScriptedCore(LongFunction<List<Effect>> onStart, BiFunction<Long, Event, List<Effect>> onEvent) {
        this.onStart = onStart;
        this.onEvent = onEvent;
    }

    ScriptedCore(BiFunction<Long, Event, List<Effect>> onEvent) {
        this(now -> List.of(), onEvent);
    }

    @Override
    public List<Effect> start(long nowMillis) {
        threads.add(Thread.currentThread().getName());
        nows.add(nowMillis);
        return onStart.apply(nowMillis);
    }

    @Override
    public List<Effect> handle(long nowMillis, Event event) {
        threads.add(Thread.currentThread().getName());
        nows.add(nowMillis);
        events.add(event);
        handled++;
        return onEvent.apply(nowMillis, event);
    }

    <T extends Event> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }
}
