package io.egoist.core;

/**
 * Makes values that came from the network safe to put into a {@code key=value} log line or onto the wire.
 *
 * <p>{@link #q} quotes a value and escapes everything that could forge a field or reach a terminal raw: the
 * quote and backslash ({@code \"}, {@code \\}), CR, LF and TAB ({@code \r}, {@code \n}, {@code \t}), every other
 * control byte including NUL and ESC ({@code \x00}, {@code \x1b}, DEL {@code \x7f}), and every non-ASCII
 * character (backslash-u and four hex digits, a surrogate pair as two of them). The result is printable ASCII between two
 * quotes, so a log reader can split a line on spaces outside quotes and trust every field.
 *
 * <p>{@link #ascii} does the same without the quotes, for text sent back to a peer (a NACK's reason).
 */
public final class LogValues {
    private LogValues() {}

    /** Longest value written before it is cut (with {@code ...} and the original length). */
    public static final int MAX_LOGGED = 200;

    /** The value quoted and escaped, cut to {@link #MAX_LOGGED} characters; {@code null} gives {@code "null"}. */
    public static String q(Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_LOGGED) + 8).append('"');
        escapeInto(sb, s, MAX_LOGGED);
        return sb.append('"').toString();
    }

    /** The value with everything outside printable ASCII (and the backslash) escaped, cut to {@code max}. */
    public static String ascii(String value, int max) {
        String s = value == null ? "" : value;
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 8);
        escapeInto(sb, s, max);
        return sb.toString();
    }

    /** True when every character is printable ASCII (0x20..0x7e). */
    public static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) return false;
        }
        return true;
    }

    private static void escapeInto(StringBuilder sb, String s, int max) {
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
                    } else if (c > 0x7e) {
                        sb.append("\\u")
                                .append(HEX[(c >> 12) & 15])
                                .append(HEX[(c >> 8) & 15])
                                .append(HEX[(c >> 4) & 15])
                                .append(HEX[c & 15]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (s.length() > max) sb.append("...(").append(s.length()).append(" chars)");
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
