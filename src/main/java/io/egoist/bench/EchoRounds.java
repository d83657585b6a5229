package io.egoist.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latency a relay adds, measured so that it can be trusted on a shared machine: echo round trips without a
 * relay (a 2-node pair) and through two relays (a 4-node ring) alternate sample by sample (which goes first
 * alternates too), so both see the same moments of the machine; the samples fall into {@link #ROUNDS} rounds, and
 * the figure is the median over rounds of each round's (two relays − none) / 2, for the median and the p99 alike.
 * A burst of scheduler delay then spoils one round's figure, not the result.
 */
final class EchoRounds {
    private EchoRounds() {}

    static final int ROUNDS = 10;

    /** Round trips of {@code samples} pings each way (and a fifth more to warm up first), the figures as JSON keys. */
    static Map<String, Object> measure(InetSocketAddress noRelay, InetSocketAddress twoRelays, int samples)
            throws IOException {
        int perRound = Math.max(10, samples / ROUNDS);
        try (DatagramSocket a = socket();
                DatagramSocket b = socket()) {
            for (int i = 0; i < Math.max(10, samples / 5); i++) { // warm-up: sessions open, code is compiled
                ping(a, noRelay);
                ping(b, twoRelays);
            }
            List<Double> all0 = new ArrayList<>(), all2 = new ArrayList<>();
            double[] p50 = new double[ROUNDS], p99 = new double[ROUNDS];
            int lost = 0;
            for (int r = 0; r < ROUNDS; r++) {
                double[] r0 = new double[perRound], r2 = new double[perRound];
                int n0 = 0, n2 = 0;
                for (int i = 0; i < perRound; i++) {
                    boolean pairFirst = (i & 1) == 0;
                    double x = pairFirst ? ping(a, noRelay) : ping(b, twoRelays);
                    double y = pairFirst ? ping(b, twoRelays) : ping(a, noRelay);
                    double t0 = pairFirst ? x : y, t2 = pairFirst ? y : x;
                    if (t0 < 0 || t2 < 0) { // a lost echo: the pair's other half is left out too
                        lost++;
                        continue;
                    }
                    r0[n0++] = t0;
                    r2[n2++] = t2;
                }
                r0 = Arrays.copyOf(r0, n0);
                r2 = Arrays.copyOf(r2, n2);
                for (double v : r0) all0.add(v);
                for (double v : r2) all2.add(v);
                p50[r] = (pct(r2, 50) - pct(r0, 50)) / 2;
                p99[r] = (pct(r2, 99) - pct(r0, 99)) / 2;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("echo_rtt_us_no_relay", percentiles(all0));
            m.put("echo_rtt_us_two_relays", percentiles(all2));
            m.put("added_us_per_relay_p50", pct(p50, 50));
            m.put("added_us_per_relay_p99", pct(p99, 50));
            m.put(
                    "added_us_per_relay_rounds",
                    ROUNDS + " rounds of " + perRound + " alternating pairs, " + lost
                            + " pairs with a lost echo left out");
            m.put("added_us_per_relay_p50_per_round", rounded(p50));
            m.put("added_us_per_relay_p99_per_round", rounded(p99));
            return m;
        }
    }

    private static DatagramSocket socket() throws IOException {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        s.setSoTimeout(1_000);
        return s;
    }

    private static final byte[] PING = new byte[100];

    /** One echo round trip in µs, or -1 when the answer did not come within the socket's timeout. */
    private static double ping(DatagramSocket s, InetSocketAddress to) throws IOException {
        byte[] in = new byte[200];
        long t0 = System.nanoTime();
        s.send(new DatagramPacket(PING, PING.length, to));
        try {
            s.receive(new DatagramPacket(in, in.length));
        } catch (SocketTimeoutException e) {
            return -1;
        }
        return (System.nanoTime() - t0) / 1e3;
    }

    static double pct(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[Math.min(s.length - 1, (int) Math.ceil(p / 100 * s.length) - 1)];
    }

    private static Map<String, Object> percentiles(List<Double> l) {
        double[] v = l.stream().mapToDouble(Double::doubleValue).toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", v.length);
        m.put("p50", pct(v, 50));
        m.put("p90", pct(v, 90));
        m.put("p99", pct(v, 99));
        return m;
    }

    private static String rounded(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(Math.round(v[i]));
        return b.append(']').toString();
    }
}
