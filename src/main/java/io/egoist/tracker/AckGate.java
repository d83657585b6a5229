package io.egoist.tracker;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.ListIterator;

/**
 * Group commit on the core's side: an acknowledgement (the close after a UPT, the reply to a REG, the close
 * after an RMV) leaves only once the change it acknowledges is on disk.
 *
 * <p>The core's persistence effects are numbered in the order emitted (1, 2, …). When one event's effects
 * contain any, the Sends and Closes among them are held with the number of the last one; so are every later
 * Send and Close on a connection that still has something held (its replies keep their order). The store
 * reports with {@link TrackerEvent.StoreProgress} how many persistence effects are durable; everything held
 * up to that number is released, in order. While the store reports a failure, nothing is held (the tracker
 * keeps serving from memory; {@code /healthz} says why) and what was held is released at once.
 *
 * <p>Disabled (every effect passes), e.g. under the virtual-time network that has no store.
 */
final class AckGate {
    private record Held(long seq, Effect effect) {}

    private final boolean enabled;
    private long emitted;
    private long durable;
    private boolean storeHealthy = true;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final HashMap<ConnId, Integer> heldPerConn = new HashMap<>();

    AckGate(boolean enabled) {
        this.enabled = enabled;
    }

    /** Takes the held acknowledgements out of {@code out} (the effects of one event), in place. */
    void filter(List<Effect> out) {
        int persisted = 0;
        for (Effect e : out) if (e instanceof TrackerEffect) persisted++;
        emitted += persisted;
        if (!enabled) return;
        if (persisted == 0 && heldPerConn.isEmpty()) return;
        boolean holdAll = persisted > 0 && storeHealthy && durable < emitted;
        for (ListIterator<Effect> it = out.listIterator(); it.hasNext(); ) {
            Effect e = it.next();
            ConnId conn = connOf(e);
            if (conn == null) continue;
            if (holdAll || heldPerConn.containsKey(conn)) {
                held.addLast(new Held(emitted, e));
                heldPerConn.merge(conn, 1, Integer::sum);
                it.remove();
            }
        }
    }

    /** The store's report: the first {@code durableCount} persistence effects are on disk (or the store fails). */
    void onStoreProgress(long durableCount, boolean healthy, List<Effect> out) {
        if (healthy) durable = Math.max(durable, durableCount);
        storeHealthy = healthy;
        while (!held.isEmpty() && (!healthy || held.peekFirst().seq() <= durable)) {
            Held h = held.pollFirst();
            ConnId conn = connOf(h.effect());
            heldPerConn.computeIfPresent(conn, (k, n) -> n == 1 ? null : n - 1);
            out.add(h.effect());
        }
    }

    /** Acknowledgements waiting for the disk. */
    int heldCount() {
        return held.size();
    }

    long emitted() {
        return emitted;
    }

    boolean storeHealthy() {
        return storeHealthy;
    }

    private static ConnId connOf(Effect e) {
        if (e instanceof Effect.Send s) return s.conn();
        if (e instanceof Effect.Close c) return c.conn();
        return null;
    }
}
