package io.egoist.core;

/** A connection as the cores see it: an opaque number chosen by whoever opened it (runtime or core). */
public record ConnId(long value) {
    /** The record's own hash ({@code Long.hashCode(value)}), written out: the tracker hashes ids at every event. */
    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof ConnId c && c.value == value);
    }

    @Override
    public String toString() {
        return "c" + value;
    }
}
