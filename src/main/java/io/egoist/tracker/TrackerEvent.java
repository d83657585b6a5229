package io.egoist.tracker;

import io.egoist.core.Event;

/** Events only the tracker core understands. */
public sealed interface TrackerEvent extends Event {

    /**
     * From the store: the first {@code durable} persistence effects the core emitted ({@link TrackerEffect}s,
     * counted from 1 in the order emitted) are on disk; {@code healthy} is false while writes fail.
     */
    record StoreProgress(long durable, boolean healthy) implements TrackerEvent {}

    /**
     * Secure mode: the reply a member's {@code CRL} request gets from now on ({@code CRL@...}, see {@link
     * io.egoist.wire.CrlLines}), or null when there is none to serve ({@code refusal} says why, for the NACK).
     */
    record Revocations(String replyLine, String refusal) implements TrackerEvent {}
}
