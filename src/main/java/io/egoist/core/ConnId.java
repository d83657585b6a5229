package io.egoist.core;

/** A connection as the cores see it: an opaque number chosen by whoever opened it (runtime or core). */
public record ConnId(long value) {
    @Override
    public String toString() {
        return "c" + value;
    }
}
