package io.egoist.bench;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerCore;
import io.egoist.tracker.TrackerSnapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The tracker's own cost of a REG of a new node, against the overlay's size: a {@link TrackerCore} driven
 * directly (no sockets, no store, logs as configured), N nodes with 4 links each, then REGs of new nodes, each
 * from its own address (so neither the source check nor the per-address rate limit is involved). Reports the
 * core's CPU time per REG, including the reply's Send effects (one per line), median of the rounds.
 *
 * <p>Uses only API that older versions of the core have too, so the same source runs against an older jar
 * ({@code java -cp old.jar RegCostBench.java}) for a before/after comparison.
 */
public final class RegCostBench {
    public record Row(int nodes, int links, double microsPerRegMedian, double microsPerRegMin, int replyLines) {}

    private final int regsPerRound;
    private final int rounds;
    private final Consumer<String> progress;

    public RegCostBench(int regsPerRound, int rounds, Consumer<String> progress) {
        this.regsPerRound = regsPerRound;
        this.rounds = rounds;
        this.progress = progress;
    }

    public List<Row> run(int[] sizes) {
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) rows.add(measure(n));
        return rows;
    }

    private Row measure(int n) {
        TrackerConfig cfg = new TrackerConfig("127.0.0.1", 0, Path.of("unused"), -1, 3_600_000, 86_400_000, 1_000);
        TrackerCore core = new TrackerCore(cfg, TrackerSnapshot.EMPTY);
        long now = 1_000_000;
        core.start(now);
        long[] conn = {1};
        Random rnd = new Random(n);
        for (int i = 0; i < n; i++) line(core, now, conn, ip(i), "REG@" + ip(i) + ":7000");
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder("UPT");
            for (int k = 0; k < 4; k++) {
                sb.append('@')
                        .append(ip(i))
                        .append(":7000@")
                        .append(ip(rnd.nextInt(n)))
                        .append(":7000@");
                sb.append(1 + rnd.nextInt(300))
                        .append('.')
                        .append(rnd.nextInt(1000))
                        .append('|');
            }
            line(core, now, conn, ip(i), sb.toString());
        }
        progress.accept(String.format("overlay of %,d nodes, %,d links built", n, core.linkCount()));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] perReg = new double[rounds];
        int next = n;
        int lines = 0;
        for (int r = 0; r < rounds; r++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            for (int j = 0; j < regsPerRound; j++, next++) {
                lines = line(core, now, conn, ip(next), "REG@" + ip(next) + ":7000")
                        .size();
            }
            perReg[r] = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / regsPerRound;
        }
        double[] sorted = perReg.clone();
        Arrays.sort(sorted);
        Row row = new Row(n, core.linkCount(), sorted[sorted.length / 2], sorted[0], lines);
        progress.accept(String.format(
                "%,d nodes: %.1f us CPU per REG of a new node (median of %d rounds of %d; min %.1f); reply %d lines",
                n, row.microsPerRegMedian(), rounds, regsPerRound, row.microsPerRegMin(), lines));
        return row;
    }

    private static List<Effect> line(TrackerCore core, long now, long[] conn, String ip, String line) {
        ConnId c = new ConnId(conn[0]++);
        core.handle(now, new Event.Accepted(c, ip, 40000));
        List<Effect> fx = core.handle(now, new Event.LineReceived(c, line));
        core.handle(now, new Event.Closed(c));
        return fx;
    }

    /** Node i's address: 10.x.y.z, distinct below 2^24. */
    private static String ip(int i) {
        int v = i + 1;
        return "10." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    public static void main(String[] args) {
        int[] sizes = Arrays.stream(args.length > 0 ? args[0].split(",") : new String[] {"1000", "10000", "50000"})
                .mapToInt(Integer::parseInt)
                .toArray();
        new RegCostBench(200, 15, System.out::println).run(sizes);
    }
}
