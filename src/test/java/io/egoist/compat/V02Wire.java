package io.egoist.compat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the v0.2 programs share, re-implemented for the compatibility emulators straight from
 * /work/shared/docs/egoist-v02-protocol.md. Deliberately independent of io.egoist.wire: the emulators
 * must be an independent check of our codec, not a mirror of it.
 */
final class V02Wire {
    private V02Wire() {}

    // The seed's constants, re-typed here from the reference (not imported from io.egoist.wire.Seed).
    static final int PKT_LIMIT = 8190;
    static final int MAX_LENGTH = 16384;
    static final int PKT_IDS_LIMIT = 5000;
    static final int BOOT_DELAY = 500;
    static final long HUGE_DELAY = Long.MAX_VALUE - 1000;
    static final int PING_TIMEOUT_MS = 3000;

    /** Twisted LineReceiver framing: lines end with CR LF only (a bare LF is part of the line). */
    static final class LineReader {
        private final InputStream in;

        LineReader(InputStream in) {
            this.in = new BufferedInputStream(in);
        }

        /**
         * The next line without its CR LF; null at end of stream. Throws {@link LineTooLong} on a line
         * longer than MAX_LENGTH bytes (the v0.2 receiver then drops the connection).
         */
        String readLine() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            boolean cr = false;
            while (true) {
                int b = in.read();
                if (b < 0) return null; // a partial last line is never delivered by LineReceiver
                if (cr && b == '\n') {
                    byte[] bytes = buf.toByteArray();
                    String line = new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                    if (line.length() > MAX_LENGTH) throw new LineTooLong();
                    return line;
                }
                buf.write(b);
                cr = b == '\r';
                if (buf.size() > MAX_LENGTH + 1) throw new LineTooLong();
            }
        }
    }

    static final class LineTooLong extends IOException {
        LineTooLong() {
            super("line longer than " + MAX_LENGTH);
        }
    }

    static void writeLine(OutputStream out, String line) throws IOException {
        synchronized (out) {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    static void closeQuietly(Socket s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Python 2.7 {@code str(float)}: {@code '%.12g'} with ".0" added when the result looks like an
     * integer ({@code 500.0}, {@code 35.2034912109}, {@code 1e-05}, {@code 1.23456789012e+12}).
     */
    static String py2Str(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        if (x == 0) return (1 / x < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(x).round(new MathContext(12, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 12) {
            String digits = bd.unscaledValue().abs().toString().replaceAll("0+$", "");
            if (digits.isEmpty()) digits = "0";
            String mant = digits.substring(0, 1) + (digits.length() > 1 ? "." + digits.substring(1) : "");
            String e = String.valueOf(Math.abs(exp));
            if (e.length() < 2) e = "0" + e;
            return (bd.signum() < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + e;
        }
        String plain = bd.stripTrailingZeros().toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    static String sha1Hex(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder sb = new StringBuilder();
            for (byte b : d) sb.append(String.format("%02x", b & 0xff));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A link as v0.2 keeps it: ids as text, the cost as a Python float. */
    record V02Link(String src, String dst, double cost) {
        /** The link in the tracker's reply, cost printed with Python 2's str(). */
        String wire() {
            return "@" + src + "@" + dst + "@" + py2Str(cost) + "|";
        }
    }

    /**
     * Parses {@code @src@dst@cost|@src@dst@cost|...} the way v0.2 does: split on {@code |}, each
     * non-empty piece split on {@code @} into ["", src, dst, cost], cost read with Python's float().
     * Throws IllegalArgumentException where Python would raise (v0.2 then drops the packet).
     */
    static List<V02Link> parseLinks(String s) {
        List<V02Link> out = new ArrayList<>();
        for (String piece : s.split("\\|", -1)) {
            if (piece.isEmpty()) continue;
            String[] f = piece.split("@", -1);
            if (f.length != 4 || !f[0].isEmpty()) throw new IllegalArgumentException("bad link: " + piece);
            out.add(new V02Link(f[1], f[2], pyFloat(f[3])));
        }
        return out;
    }

    /** Python's float() on a string: leading/trailing blanks allowed, inf/nan accepted. */
    static double pyFloat(String s) {
        String t = s.strip();
        String low = t.toLowerCase();
        if (low.matches("[+-]?(inf|infinity)"))
            return low.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (low.matches("[+-]?nan")) return Double.NaN;
        if (!t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new IllegalArgumentException("could not convert string to float: " + s);
        }
        return Double.parseDouble(t);
    }
}
