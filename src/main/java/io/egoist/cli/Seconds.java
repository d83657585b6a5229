package io.egoist.cli;

/** Options given in seconds (fractions allowed) and turned into the milliseconds the configs take. */
final class Seconds {
    private Seconds() {}

    /** True for a finite number above 0. */
    static boolean positive(double seconds) {
        return Double.isFinite(seconds) && seconds > 0;
    }

    /** True for a finite number of 0 or more. */
    static boolean notNegative(double seconds) {
        return Double.isFinite(seconds) && seconds >= 0;
    }

    /** Milliseconds, at least 1 (for values already checked to be positive). */
    static long toMillis(double seconds) {
        return Math.max(1, Math.round(seconds * 1000));
    }

    /**
     * A positive option value in milliseconds; throws {@link IllegalArgumentException} naming {@code option} when
     * it is not a finite number of seconds from 0.001 to 1e9.
     */
    static long millis(String option, double seconds) {
        if (!positive(seconds))
            throw new IllegalArgumentException(option + " must be a positive number of seconds, not " + seconds);
        double ms = seconds * 1000.0;
        if (ms < 1 || ms > 1e12) {
            throw new IllegalArgumentException(option + " must be between 0.001 and 1e9 seconds, not " + seconds);
        }
        return Math.round(ms);
    }
}
