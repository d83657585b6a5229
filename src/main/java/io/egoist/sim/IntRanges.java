package io.egoist.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Parses integer lists and ranges as the CLI spells them: {@code 2-8}, {@code 2,4,8}, {@code 2-4,8}. */
public final class IntRanges {
    private IntRanges() {}

    /** The distinct values in ascending order; a one-line {@link IllegalArgumentException} for bad input. */
    public static List<Integer> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty list; expected e.g. 2-8 or 2,4,8");
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String raw : spec.split(",", -1)) {
            String part = raw.trim();
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty element in \"" + spec + "\"; expected e.g. 2-8 or 2,4,8");
            }
            int dash = part.indexOf('-', 1);
            if (dash < 0) {
                out.add(number(part, spec));
            } else {
                int lo = number(part.substring(0, dash).trim(), spec);
                int hi = number(part.substring(dash + 1).trim(), spec);
                if (lo > hi) {
                    throw new IllegalArgumentException("bad range \"" + part + "\": " + lo + " > " + hi);
                }
                if ((long) hi - lo > 100_000) {
                    throw new IllegalArgumentException("range \"" + part + "\" is too long");
                }
                for (int v = lo; v <= hi; v++) {
                    out.add(v);
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static int number(String s, String spec) {
        if (!s.matches("-?\\d{1,9}")) {
            throw new IllegalArgumentException("not an integer: " + (s.equals(spec.strip()) ? s : s + " in " + spec)
                    + " (expected e.g. 2-8 or 2,4,8)");
        }
        return Integer.parseInt(s);
    }
}
