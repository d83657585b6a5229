package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.latency.LatencyMatrix;
import io.egoist.sim.TopologyGenerator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code egoist sim} through the real CLI entry point, into a temp directory. */
class SimCommandTest {

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = EgoistCli.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path smallMatrix() throws IOException {
        Path f = dir.resolve("small.csv");
        Files.writeString(f, TopologyGenerator.geo(14, 21).toCsv());
        return f;
    }

    @Test
    void writesResultsCsvWithExactHeaderAndOneRowPerKAndPolicyPlusAPngChart() throws IOException {
        Path out = dir.resolve("out");
        Outcome o = run(
                "sim",
                "--matrix",
                smallMatrix().toString(),
                "--k",
                "2-3,5",
                "--policies",
                "k-random,br,k-closest,full-mesh,hybrid-br,legacy-swap,sampling-br,br-eps,k-regular",
                "--seed",
                "3",
                "--max-rounds",
                "8",
                "--out",
                out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertThat(lines.get(0))
                .isEqualTo("k,policy,mean_cost,social_cost,ratio_to_br,ratio_to_full_mesh,rounds,rewirings,converged,"
                        + "mean_cost_sd,draws,rounds_averaged");
        assertThat(lines).hasSize(1 + 3 * 9);
        Set<String> cells = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertThat(f).hasSize(12);
            assertThat(Integer.parseInt(f[10])).isEqualTo(f[1].equals("k-random") ? 10 : 1);
            assertThat(Double.parseDouble(f[9])).isGreaterThanOrEqualTo(0);
            cells.add(f[0] + "/" + f[1]);
            double mean = Double.parseDouble(f[2]);
            assertThat(Double.parseDouble(f[3])).isCloseTo(mean * 14, org.assertj.core.data.Offset.offset(0.01 * 14));
            if (f[1].equals("br")) {
                assertThat(Double.parseDouble(f[4])).isEqualTo(1.0);
            }
            if (f[1].equals("full-mesh")) {
                assertThat(Double.parseDouble(f[5])).isEqualTo(1.0);
                assertThat(Double.parseDouble(f[4])).isLessThanOrEqualTo(1.0);
            }
            assertThat(f[8]).isIn("true", "false");
        }
        assertThat(cells).hasSize(27).contains("2/br", "3/k-regular", "5/sampling-br");
        // The readable table on stdout and the progress bar on stderr.
        assertThat(o.out()).contains("ratio to BR").contains("k-closest").contains("k=5");
        assertThat(o.err()).contains("[####################] 25/25").contains("k=5 policy=");

        Path png = out.resolve("ratio_to_br.png");
        assertThat(Files.size(png)).isGreaterThan(10_000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isEqualTo(600);
    }

    @Test
    void sameSeedGivesTheSameResultsWhateverTheThreadCount() throws IOException {
        Path m = smallMatrix();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertThat(run(
                                "sim",
                                "--matrix",
                                m.toString(),
                                "--k",
                                "2,4",
                                "--policies",
                                "br,k-random,sampling-br",
                                "--threads",
                                "1",
                                "--out",
                                a.toString())
                        .code())
                .isZero();
        assertThat(run(
                                "sim",
                                "--matrix",
                                m.toString(),
                                "--k",
                                "4,2",
                                "--policies",
                                "br,k-random,sampling-br",
                                "--threads",
                                "3",
                                "--out",
                                b.toString())
                        .code())
                .isZero();
        assertThat(Files.readString(b.resolve("results.csv"))).isEqualTo(Files.readString(a.resolve("results.csv")));
    }

    @Test
    void jsonModePrintsOneJsonDocumentOnStdout() throws IOException {
        Path out = dir.resolve("json");
        Outcome o = run(
                "sim",
                "--generate",
                "waxman",
                "--nodes",
                "15",
                "--seed",
                "2",
                "--k",
                "2,3",
                "--policies",
                "br,k-closest",
                "--json",
                "--out",
                out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(o.out());
        assertThat(doc.get("nodes").asInt()).isEqualTo(15);
        assertThat(doc.get("results")).hasSize(4);
        JsonNode first = doc.get("results").get(0);
        assertThat(first.get("k").asInt()).isEqualTo(2);
        assertThat(first.get("policy").asText()).isEqualTo("br");
        assertThat(first.get("ratio_to_br").asDouble()).isEqualTo(1.0);
        assertThat(first.get("mean_cost").asDouble()).isPositive();
        assertThat(doc.get("results").get(1).get("ratio_to_br").asDouble()).isGreaterThan(0);
        assertThat(Files.exists(out.resolve("results.csv"))).isTrue();
    }

    @Test
    void churnRunWritesChurnCsvAndChart() throws IOException {
        Path out = dir.resolve("churn");
        Outcome o = run(
                "sim",
                "--churn",
                "--generate",
                "geo",
                "--nodes",
                "20",
                "--k",
                "3",
                "--policies",
                "br,k-random,hybrid-br",
                "--churn-rate",
                "0.05",
                "--duration",
                "60",
                "--sample-every",
                "10",
                "--epoch",
                "10",
                "--out",
                out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        List<String> lines = Files.readAllLines(out.resolve("churn.csv"));
        assertThat(lines.get(0)).isEqualTo("time_s,k,policy,efficiency,relative_efficiency,live_nodes,connected");
        assertThat(lines).hasSize(1 + 3 * 7);
        assertThat(lines.subList(1, lines.size()))
                .allSatisfy(l -> assertThat(l.split(",")).hasSize(7));
        assertThat(ImageIO.read(out.resolve("churn.png").toFile())).isNotNull();
        assertThat(o.out()).contains("hybrid-br").contains("mean_rel_eff");

        Outcome j = run(
                "sim",
                "--churn",
                "--generate",
                "geo",
                "--nodes",
                "20",
                "--k",
                "3",
                "--policies",
                "br",
                "--duration",
                "30",
                "--json",
                "--out",
                dir.resolve("churn-json").toString());
        assertThat(j.code()).as(j.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(j.out());
        assertThat(doc.get("runs").get(0).get("samples")).hasSize(4);
        assertThat(doc.get("runs").get(0).get("samples").get(3).get("time_s").asDouble())
                .isEqualTo(30.0);
        assertThat(doc.get("runs")
                        .get(0)
                        .get("samples")
                        .get(0)
                        .get("live_nodes")
                        .asInt())
                .isBetween(2, 20);
    }

    @Test
    void svgChartsStatsSubsetsAndMetricClosureThroughTheCli() throws Exception {
        Path out = dir.resolve("svg");
        Outcome o = run(
                "sim",
                "--generate",
                "geo",
                "--nodes",
                "30",
                "--subset",
                "16",
                "--subset-seed",
                "4",
                "--metric-closure",
                "--k",
                "2,3",
                "--policies",
                "br,k-random,full-mesh",
                "--draws",
                "12",
                "--format",
                "png,svg",
                "--stats",
                "--out",
                out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out())
                .contains("geo n=30 seed=1, subset 16 seed 4, metric closure, 16 nodes")
                .contains("relaying saves 0.0%")
                .contains("0 of 240 ordered pairs have a faster path")
                .contains("br k=3, last round: mean cost")
                .contains("ratio_to_br.svg");
        javax.xml.parsers.DocumentBuilderFactory xml = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // offline
        org.w3c.dom.Document svg =
                xml.newDocumentBuilder().parse(out.resolve("ratio_to_br.svg").toFile());
        assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(Files.readString(out.resolve("ratio_to_br.svg"))).contains("k-random");
        assertThat(ImageIO.read(out.resolve("ratio_to_br.png").toFile())).isNotNull();
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertThat(lines.stream().filter(l -> l.contains(",k-random,")))
                .allSatisfy(l -> assertThat(l.split(",")[10]).isEqualTo("12"));

        Outcome j = run(
                "sim",
                "--generate",
                "geo",
                "--nodes",
                "12",
                "--k",
                "2",
                "--policies",
                "br",
                "--stats",
                "--json",
                "--out",
                dir.resolve("sj").toString());
        assertThat(j.code()).as(j.err()).isZero();
        JsonNode stats = new ObjectMapper().readTree(j.out()).get("stats");
        assertThat(stats.get("full_mesh_direct_only_mean_cost").asDouble())
                .isGreaterThanOrEqualTo(stats.get("full_mesh_mean_cost").asDouble());
        assertThat(stats.get("br_paths").get(0).get("mean_hops").asDouble()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void badFormatDrawsSubsetAndStatsWithChurnAreOneLineErrors() {
        assertOneLineError(run("sim", "--format", "png,gif", "--out", dir.toString()), "--format");
        assertOneLineError(run("sim", "--draws", "0", "--out", dir.toString()), "--draws must be >= 1");
        assertOneLineError(run("sim", "--subset", "200", "--out", dir.toString()), "--subset: subset size");
        assertOneLineError(run("sim", "--subset-seed", "3", "--out", dir.toString()), "--subset-seed only applies");
        assertOneLineError(run("sim", "--churn", "--stats", "--out", dir.toString()), "--stats applies");
    }

    @Test
    void missingMatrixFileIsAOneLineError() {
        assertOneLineError(
                run("sim", "--matrix", dir.resolve("nope.csv").toString(), "--out", dir.toString()), "no such file");
    }

    @Test
    void malformedMatrixIsAOneLineErrorNamingRowAndColumn() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "node,A,B,C\nA,0,1,2\nB,1,0,x\nC,2,3,0\n");
        assertOneLineError(
                run("sim", "--matrix", bad.toString(), "--out", dir.toString()),
                "bad.csv: row 3 (B), column 4 (C): not a number: \"x\"");
    }

    @Test
    void kOutOfRangeIsAOneLineError() throws IOException {
        assertOneLineError(
                run("sim", "--matrix", smallMatrix().toString(), "--k", "2-14", "--out", dir.toString()),
                "k=14 out of range");
        assertOneLineError(run("sim", "--k", "0,2", "--out", dir.toString()), "k=0 out of range");
    }

    @Test
    void unknownPolicyIsAOneLineError() {
        assertOneLineError(run("sim", "--policies", "br,k-best", "--out", dir.toString()), "unknown policy \"k-best\"");
    }

    @Test
    void badRangeIsAOneLineError() {
        assertOneLineError(run("sim", "--k", "8-2", "--out", dir.toString()), "bad range");
        assertOneLineError(run("sim", "--k", "two", "--out", dir.toString()), "not an integer");
    }

    @Test
    void otherBadOptionsAreOneLineErrors() throws IOException {
        assertOneLineError(run("sim", "--generate", "torus", "--out", dir.toString()), "unknown generator");
        assertOneLineError(
                run("sim", "--generate", "geo", "--matrix", smallMatrix().toString()), "mutually exclusive");
        assertOneLineError(run("sim", "--nodes", "5"), "--nodes only applies with --generate");
        assertOneLineError(run("sim", "--max-rounds", "0", "--out", dir.toString()), "--max-rounds");
        assertOneLineError(run("sim", "--churn", "--churn-rate", "-1", "--out", dir.toString()), "--churn-rate");
        assertOneLineError(run("sim", "--seed", "x"), "--seed");
    }

    private static void assertOneLineError(Outcome o, String expected) {
        assertThat(o.code()).as(o.err()).isNotZero();
        String err = o.err().strip();
        assertThat(err).contains(expected);
        assertThat(err.lines().count()).as(err).isEqualTo(1);
        assertThat(o.out()).isEmpty();
    }

    @Test
    void shippedRipeMatrixIsTheDefaultInput() throws IOException {
        Path out = dir.resolve("ripe");
        Outcome o = run(
                "sim",
                "--k",
                "2",
                "--policies",
                "k-closest,k-regular",
                "--max-rounds",
                "2",
                "--json",
                "--out",
                out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(new ObjectMapper().readTree(o.out()).get("nodes").asInt())
                .isEqualTo(LatencyMatrix.ripe().size());
    }
}
