package io.egoist.tracker;

import java.util.Map;

/**
 * Monotonic counts kept by the core (copied out on the core's thread for /metrics).
 *
 * @param messages   accepted messages by type (REG, UPT, RMV, EMPTY)
 * @param nacks      rejected lines and connections by reason category (see {@link TrackerCore#reasonCategory})
 * @param removals   removed nodes by cause (expired, dead-after-rmv)
 * @param idleCloses connections the tracker closed because they sent nothing for the idle timeout
 */
public record TrackerCounters(
        Map<String, Long> messages, Map<String, Long> nacks, Map<String, Long> removals, long idleCloses) {
    public TrackerCounters {
        messages = Map.copyOf(messages);
        nacks = Map.copyOf(nacks);
        removals = Map.copyOf(removals);
    }

    public long message(String type) {
        return messages.getOrDefault(type, 0L);
    }

    public long nack(String reason) {
        return nacks.getOrDefault(reason, 0L);
    }

    public long removal(String cause) {
        return removals.getOrDefault(cause, 0L);
    }
}
