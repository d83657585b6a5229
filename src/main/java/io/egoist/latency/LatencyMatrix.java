package io.egoist.latency;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable square matrix of round-trip times in ms between named nodes: {@code rtt(i, j)} is what node i
 * measures towards node j. Asymmetric matrices are allowed; the diagonal is always 0.
 *
 * <p>CSV format (as {@code /data/ripe-country-rtt.csv}): a header row {@code node,A,B,...} (the first field
 * is a free label), then one row per node in the header's order: {@code A,0.000,12.5,...}. Fields are
 * trimmed; CRLF line ends and trailing blank lines are accepted; there is no quoting.
 *
 * <p>Rejected, with a one-line {@link MatrixFormatException} naming the row (1-based line number in the file)
 * and the column (1-based field number, the name column being column 1): an empty file, a ragged row, a value
 * that is not a number, negative, NaN or infinite, a row whose name differs from the header's name at that
 * position, duplicate or empty names, missing or extra rows, and a non-zero diagonal (a node's RTT to itself
 * is 0 by definition; a non-zero value there almost always means the rows or columns are shifted).
 */
public final class LatencyMatrix {

    /** Classpath location of the shipped RIPE Atlas country-to-country matrix (94 countries). */
    public static final String RIPE_RESOURCE = "/data/ripe-country-rtt.csv";

    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final java.util.regex.Pattern INFINITY = java.util.regex.Pattern.compile("[+-]?(inf|infinity)");

    private static volatile LatencyMatrix ripe;

    private final List<String> names;
    private final Map<String, Integer> index;
    private final double[][] rtt;

    private LatencyMatrix(List<String> names, double[][] rtt) {
        this.names = Collections.unmodifiableList(new ArrayList<>(names));
        this.rtt = rtt;
        this.index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
    }

    /**
     * A matrix from names and values (copied). Validates as the CSV loader does, with {@code source} in messages.
     */
    public static LatencyMatrix of(String source, List<String> names, double[][] values) {
        int n = names.size();
        if (n == 0) {
            throw new MatrixFormatException(source + ": no nodes");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String name = names.get(i);
            if (name == null || name.isBlank()) {
                throw new MatrixFormatException(source + ": node " + i + ": empty name");
            }
            Integer prev = seen.put(name, i);
            if (prev != null) {
                throw new MatrixFormatException(
                        source + ": node " + i + ": duplicate name \"" + name + "\" (also node " + prev + ")");
            }
        }
        if (values.length != n) {
            throw new MatrixFormatException(source + ": " + values.length + " rows for " + n + " names");
        }
        double[][] copy = new double[n][];
        for (int i = 0; i < n; i++) {
            if (values[i].length != n) {
                throw new MatrixFormatException(source + ": node " + i + " (" + names.get(i) + "): " + values[i].length
                        + " values, expected " + n);
            }
            copy[i] = values[i].clone();
            for (int j = 0; j < n; j++) {
                String problem = checkValue(copy[i][j], i == j);
                if (problem != null) {
                    throw new MatrixFormatException(source + ": node " + i + " (" + names.get(i) + "), node " + j + " ("
                            + names.get(j) + "): " + problem);
                }
            }
        }
        return new LatencyMatrix(names, copy);
    }

    /** Loads a CSV matrix from a file; the file name appears in error messages. */
    public static LatencyMatrix load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Path fn = file.getFileName();
        return parse(fn == null ? file.toString() : fn.toString(), text);
    }

    /** Loads a CSV matrix from the classpath (e.g. {@link #RIPE_RESOURCE}). */
    public static LatencyMatrix loadResource(String resource) throws IOException {
        try (InputStream in = LatencyMatrix.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no such resource: " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int slash = resource.lastIndexOf('/');
            return parse(resource.substring(slash + 1), text);
        }
    }

    /** The shipped RIPE Atlas country matrix (94 countries, symmetric, ms), loaded once. */
    public static LatencyMatrix ripe() {
        LatencyMatrix m = ripe;
        if (m == null) {
            synchronized (LatencyMatrix.class) {
                m = ripe;
                if (m == null) {
                    try {
                        m = loadResource(RIPE_RESOURCE);
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot load " + RIPE_RESOURCE + ": " + e.getMessage(), e);
                    }
                    ripe = m;
                }
            }
        }
        return m;
    }

    /** Parses CSV text; {@code source} (e.g. the file name) prefixes every error message. */
    public static LatencyMatrix parse(String source, String text) {
        String[] lines = text.split("\r?\n|\r", -1);
        int last = lines.length;
        while (last > 0 && lines[last - 1].isBlank()) {
            last--;
        }
        if (last == 0) {
            throw new MatrixFormatException(
                    source + ": row 1, column 1: empty file, expected a header row \"node,A,B,...\"");
        }
        String[] header = split(lines[0]);
        int n = header.length - 1;
        if (n < 1) {
            throw new MatrixFormatException(
                    source + ": row 1 (header), column 2: no node names after \"" + header[0] + "\"");
        }
        List<String> names = new ArrayList<>(n);
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 1; c <= n; c++) {
            String name = header[c];
            if (name.isEmpty()) {
                throw new MatrixFormatException(source + ": row 1 (header), column " + (c + 1) + ": empty node name");
            }
            Integer prev = seen.put(name, c);
            if (prev != null) {
                throw new MatrixFormatException(source + ": row 1 (header), column " + (c + 1) + ": duplicate name \""
                        + name + "\" (also column " + (prev + 1) + ")");
            }
            names.add(name);
        }
        if (last - 1 < n) {
            throw new MatrixFormatException(source + ": row " + (last + 1) + ", column 1: missing row for "
                    + names.get(last - 1) + ": " + (last - 1) + " rows for " + n + " names in the header");
        }
        if (last - 1 > n) {
            throw new MatrixFormatException(
                    source + ": row " + (n + 2) + ", column 1: extra row (" + n + " names in the header)");
        }
        double[][] values = new double[n][n];
        for (int i = 0; i < n; i++) {
            int row = i + 2;
            String[] fields = split(lines[i + 1]);
            String rowName = fields[0];
            String where = source + ": row " + row + " (" + (rowName.isEmpty() ? "?" : rowName) + ")";
            if (fields.length < n + 1) {
                int c = fields.length + 1;
                throw new MatrixFormatException(where + ", column " + c + " (" + names.get(c - 2) + "): missing value: "
                        + fields.length + " columns, expected " + (n + 1) + " (a name and " + n + " values)");
            }
            if (fields.length > n + 1) {
                throw new MatrixFormatException(where + ", column " + (n + 2) + ": extra value: " + fields.length
                        + " columns, expected " + (n + 1) + " (a name and " + n + " values)");
            }
            if (!rowName.equals(names.get(i))) {
                throw new MatrixFormatException(where + ", column 1: row name \"" + rowName
                        + "\" does not match header name \"" + names.get(i) + "\" at this position");
            }
            for (int j = 0; j < n; j++) {
                String field = fields[j + 1];
                String cell = where + ", column " + (j + 2) + " (" + names.get(j) + "): ";
                double v;
                String lower = field.toLowerCase(java.util.Locale.ROOT);
                if (lower.equals("nan")) {
                    v = Double.NaN;
                } else if (INFINITY.matcher(lower).matches()) {
                    v = Double.POSITIVE_INFINITY;
                } else if (DECIMAL.matcher(field).matches()) {
                    v = Double.parseDouble(field);
                } else {
                    throw new MatrixFormatException(cell + "not a number: \"" + printable(field) + "\"");
                }
                String problem = checkValue(v, i == j);
                if (problem != null) {
                    throw new MatrixFormatException(cell + problem + ": \"" + printable(field) + "\"");
                }
                values[i][j] = v;
            }
        }
        return new LatencyMatrix(names, values);
    }

    private static String checkValue(double v, boolean diagonal) {
        if (Double.isNaN(v)) {
            return "NaN is not a latency";
        }
        if (Double.isInfinite(v)) {
            return "infinite latency";
        }
        if (v < 0) {
            return "negative latency";
        }
        if (diagonal && v != 0) {
            return "non-zero diagonal (a node's RTT to itself must be 0)";
        }
        return null;
    }

    private static String[] split(String line) {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].trim();
        }
        return f;
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    /** Node names in matrix order (unmodifiable). */
    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    /** RTT in ms from node i to node j as i measures it (0 when i == j). */
    public double rtt(int i, int j) {
        return rtt[i][j];
    }

    /** The index of a node name, or -1 when the matrix has no such node. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    /** A copy of row i: {@code row(i)[j] == rtt(i, j)}. */
    public double[] row(int i) {
        return rtt[i].clone();
    }

    /** A copy of all values. */
    public double[][] toArray() {
        double[][] out = new double[rtt.length][];
        for (int i = 0; i < rtt.length; i++) {
            out[i] = rtt[i].clone();
        }
        return out;
    }

    /** True when rtt(i, j) == rtt(j, i) for every pair. */
    public boolean isSymmetric() {
        for (int i = 0; i < rtt.length; i++) {
            for (int j = i + 1; j < rtt.length; j++) {
                if (rtt[i][j] != rtt[j][i]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The matrix restricted to the given node indices, in that order. */
    public LatencyMatrix subset(int... indices) {
        List<String> sub = new ArrayList<>(indices.length);
        double[][] v = new double[indices.length][indices.length];
        for (int a = 0; a < indices.length; a++) {
            sub.add(names.get(indices[a]));
            for (int b = 0; b < indices.length; b++) {
                v[a][b] = rtt[indices[a]][indices[b]];
            }
        }
        return of("subset", sub, v);
    }

    /** CSV text in the format {@link #parse} reads (3 decimals). */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("node");
        for (String name : names) {
            sb.append(',').append(name);
        }
        sb.append('\n');
        for (int i = 0; i < rtt.length; i++) {
            sb.append(names.get(i));
            for (int j = 0; j < rtt.length; j++) {
                sb.append(',').append(String.format(java.util.Locale.ROOT, "%.3f", rtt[i][j]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyMatrix other && names.equals(other.names) && Arrays.deepEquals(rtt, other.rtt);
    }

    @Override
    public int hashCode() {
        return names.hashCode() * 31 + Arrays.deepHashCode(rtt);
    }

    @Override
    public String toString() {
        return "LatencyMatrix[" + size() + " nodes]";
    }

    /** A malformed matrix; the message is one line naming where (row and column for CSV input) and what. */
    public static final class MatrixFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public MatrixFormatException(String message) {
            super(message);
        }
    }
}
