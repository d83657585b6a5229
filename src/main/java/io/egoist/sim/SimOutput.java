package io.egoist.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Files and tables written by {@code egoist sim}: results.csv, ratio_to_br.png/.svg, churn.csv, churn.png/.svg.
 * Charts are PNG (900×600) or SVG (jfreesvg) by the file's extension.
 */
public final class SimOutput {
    private SimOutput() {}

    public static final String RESULTS_HEADER =
            "k,policy,mean_cost,social_cost,ratio_to_br,ratio_to_full_mesh,rounds,rewirings,converged,"
                    + "mean_cost_sd,draws,rounds_averaged";
    public static final String CHURN_HEADER = "time_s,k,policy,efficiency,relative_efficiency,live_nodes,connected";

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** One color per policy, the same in every chart. */
    private static final Map<String, Color> COLORS = Map.of(
            "br",
            new Color(0xD62728),
            "br-eps",
            new Color(0x1F77B4),
            "k-random",
            new Color(0x2CA02C),
            "k-closest",
            new Color(0xFF7F0E),
            "k-regular",
            new Color(0x9467BD),
            "full-mesh",
            Color.BLACK,
            "hybrid-br",
            new Color(0x8C564B),
            "legacy-swap",
            new Color(0x7F7F7F),
            "sampling-br",
            new Color(0x17BECF));

    public static void writeResultsCsv(Path file, List<PolicyResult> results) throws IOException {
        StringBuilder sb = new StringBuilder(RESULTS_HEADER).append('\n');
        for (PolicyResult r : results) {
            sb.append(r.k())
                    .append(',')
                    .append(r.policy())
                    .append(',')
                    .append(f(r.meanCost(), 3))
                    .append(',')
                    .append(f(r.socialCost(), 3))
                    .append(',')
                    .append(f(r.ratioToBr(), 4))
                    .append(',')
                    .append(f(r.ratioToFullMesh(), 4))
                    .append(',')
                    .append(r.rounds())
                    .append(',')
                    .append(r.rewirings())
                    .append(',')
                    .append(r.converged())
                    .append(',')
                    .append(f(r.meanCostSd(), 3))
                    .append(',')
                    .append(r.draws())
                    .append(',')
                    .append(r.roundsAveraged())
                    .append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    public static void writeChurnCsv(Path file, List<ChurnSimulation.Run> runs) throws IOException {
        StringBuilder sb = new StringBuilder(CHURN_HEADER).append('\n');
        for (ChurnSimulation.Run run : runs) {
            for (ChurnSimulation.Sample s : run.samples()) {
                sb.append(f(s.timeS(), 3))
                        .append(',')
                        .append(s.k())
                        .append(',')
                        .append(s.policy())
                        .append(',')
                        .append(String.format(Locale.ROOT, "%.8f", s.efficiency()))
                        .append(',')
                        .append(f(s.relativeEfficiency(), 4))
                        .append(',')
                        .append(s.liveNodes())
                        .append(',')
                        .append(s.connected())
                        .append('\n');
            }
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * The paper's Figure 1 form: one line per policy, k on the x axis, cost / BR's cost on the y axis, with ±1 sd
     * error bars (over the averaged rounds or draws, BR's own spread included for the other policies) and hollow
     * markers where best-response dynamics did not converge.
     */
    public static void writeRatioChart(Path file, List<PolicyResult> results, String source) throws IOException {
        Map<Integer, PolicyResult> br = new HashMap<>();
        for (PolicyResult r : results) {
            if (r.policy().equals("br")) {
                br.put(r.k(), r);
            }
        }
        Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        Map<String, List<Boolean>> converged = new LinkedHashMap<>();
        boolean anyOpen = false;
        for (PolicyResult r : results) {
            double rel = relSd(r);
            PolicyResult b = br.get(r.k());
            if (b != null && b != r) {
                rel = Math.hypot(rel, relSd(b));
            }
            double sd = r.ratioToBr() * rel;
            series.computeIfAbsent(r.policy(), YIntervalSeries::new)
                    .add(r.k(), r.ratioToBr(), r.ratioToBr() - sd, r.ratioToBr() + sd);
            converged.computeIfAbsent(r.policy(), p -> new ArrayList<>()).add(r.converged());
            anyOpen |= !r.converged();
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        series.values().forEach(data::addSeries);
        List<List<Boolean>> filled = new ArrayList<>(converged.values());
        JFreeChart chart = ChartFactory.createXYLineChart(
                "Individual cost / BR's cost (" + source + ")",
                "k (out-neighbors per node)",
                "cost ratio to BR",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        XYErrorRenderer renderer = new XYErrorRenderer() {
            @Override
            public boolean getItemShapeFilled(int s, int item) {
                return filled.get(s).get(item);
            }
        };
        renderer.setDefaultLinesVisible(true);
        renderer.setDrawXError(false);
        renderer.setUseFillPaint(true);
        renderer.setDefaultFillPaint(Color.WHITE);
        XYPlot plot = styled(chart, renderer);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        chart.addSubtitle(new TextTitle("bars: ±1 sd over the last rounds (BR variants) or the draws (k-random)"
                + (anyOpen ? "; hollow marker: best-response dynamics did not converge" : "")));
        save(chart, file);
    }

    private static double relSd(PolicyResult r) {
        return r.meanCost() > 0 ? r.meanCostSd() / r.meanCost() : 0;
    }

    /** PNG (900×600) or SVG by the file name's extension. */
    static void save(JFreeChart chart, Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".svg")) {
            SVGGraphics2D g2 = new SVGGraphics2D(900, 600);
            chart.draw(g2, new Rectangle(0, 0, 900, 600));
            Files.writeString(file, g2.getSVGDocument(), StandardCharsets.UTF_8);
        } else if (name.endsWith(".png")) {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 600);
        } else {
            throw new IllegalArgumentException("chart format of " + name + ": png or svg");
        }
    }

    /** Efficiency over virtual time: one line per policy (and k when several). */
    public static void writeChurnChart(Path file, List<ChurnSimulation.Run> runs, String source) throws IOException {
        boolean severalK = runs.stream().map(ChurnSimulation.Run::k).distinct().count() > 1;
        XYSeriesCollection data = new XYSeriesCollection();
        for (ChurnSimulation.Run run : runs) {
            XYSeries s = new XYSeries(severalK ? run.policy() + " k=" + run.k() : run.policy());
            for (ChurnSimulation.Sample p : run.samples()) {
                s.add(p.timeS(), p.relativeEfficiency());
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                "Efficiency under churn, relative to the full mesh (" + source + ")",
                "virtual time (s)",
                "efficiency / full mesh's",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        XYPlot plot = styled(chart, renderer);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesShapesVisible(i, false);
        }
        save(chart, file);
    }

    private static XYPlot styled(JFreeChart chart, XYLineAndShapeRenderer renderer) {
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
            String key = String.valueOf(plot.getDataset().getSeriesKey(i));
            String policy = key.contains(" ") ? key.substring(0, key.indexOf(' ')) : key;
            renderer.setSeriesStroke(
                    i,
                    policy.equals("full-mesh")
                            ? new BasicStroke(
                                    2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(2f));
            Color c = COLORS.get(policy);
            if (c != null) {
                renderer.setSeriesPaint(i, c);
            }
        }
        plot.setRenderer(renderer);
        return plot;
    }

    /** A readable table: every cell, then the paper-style pivot of the ratio to BR (policy × k). */
    public static void printResultsTable(PrintWriter out, List<PolicyResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "k",
            "policy",
            "mean_cost_ms",
            "ratio_to_br",
            "ratio_to_full_mesh",
            "rounds",
            "rewirings",
            "converged",
            "sd_ms",
            "draws",
            "rounds_avg"
        });
        for (PolicyResult r : results) {
            rows.add(new String[] {
                String.valueOf(r.k()),
                r.policy(),
                f(r.meanCost(), 2),
                f(r.ratioToBr(), 3),
                f(r.ratioToFullMesh(), 3),
                String.valueOf(r.rounds()),
                String.valueOf(r.rewirings()),
                String.valueOf(r.converged()),
                f(r.meanCostSd(), 2),
                String.valueOf(r.draws()),
                String.valueOf(r.roundsAveraged())
            });
        }
        printAligned(out, rows, 2);
        out.println();
        boolean anyOpen = false;
        TreeSet<Integer> ks = new TreeSet<>();
        Map<String, Map<Integer, PolicyResult>> pivot = new LinkedHashMap<>();
        for (PolicyResult r : results) {
            ks.add(r.k());
            pivot.computeIfAbsent(r.policy(), p -> new LinkedHashMap<>()).put(r.k(), r);
        }
        List<String[]> prow = new ArrayList<>();
        String[] head = new String[ks.size() + 1];
        head[0] = "ratio to BR";
        int c = 1;
        for (int k : ks) {
            head[c++] = "k=" + k;
        }
        prow.add(head);
        for (Map.Entry<String, Map<Integer, PolicyResult>> e : pivot.entrySet()) {
            String[] row = new String[ks.size() + 1];
            row[0] = e.getKey();
            c = 1;
            for (int k : ks) {
                PolicyResult v = e.getValue().get(k);
                row[c++] = v == null ? "" : f(v.ratioToBr(), 2) + (v.converged() ? " " : "*");
                anyOpen |= v != null && !v.converged();
            }
            prow.add(row);
        }
        printAligned(out, prow, 1);
        if (anyOpen) {
            out.println("* best-response dynamics did not converge: mean over the last rounds (see rounds_avg)");
        }
        out.flush();
    }

    public static void printChurnTable(PrintWriter out, List<ChurnSimulation.Run> runs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "k",
            "policy",
            "mean_efficiency",
            "mean_rel_eff",
            "min_rel_eff",
            "connected",
            "rewirings",
            "arrivals",
            "departures"
        });
        for (ChurnSimulation.Run r : runs) {
            rows.add(new String[] {
                String.valueOf(r.k()),
                r.policy(),
                String.format(Locale.ROOT, "%.6f", r.meanEfficiency()),
                f(r.meanRelativeEfficiency(), 3),
                f(r.minRelativeEfficiency(), 3),
                Math.round(100 * r.connectedFraction()) + "%",
                String.valueOf(r.rewirings()),
                String.valueOf(r.arrivals()),
                String.valueOf(r.departures())
            });
        }
        printAligned(out, rows, 2);
        out.flush();
    }

    private static void printAligned(PrintWriter out, List<String[]> rows, int leftCols) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                if (i > 0) {
                    sb.append("  ");
                }
                String cell = r[i];
                sb.append(pad(cell, w[i], i < leftCols));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String pad(String s, int w, boolean left) {
        String p = " ".repeat(Math.max(0, w - s.length()));
        return left ? s + p : p + s;
    }

    static String f(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
