package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.cli.Cli.Run;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command's --help: complete sentences, no word split over two lines. */
class HelpTextTest {
    private static List<String> words(String text) {
        return Arrays.asList(text.strip().split("\\s+"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "tracker",
                "node",
                "demo",
                "sim",
                "status",
                "route",
                "send",
                "bench",
                "bench tracker",
                "bench br",
                "bench node"
            })
    void everyHelpPrintsToStdoutWithExitZeroAndNoLineWiderThan80(String command) {
        String[] args = (command + " --help").strip().split(" ");
        Run r = run(args);
        assertThat(r.exit()).as(command).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: egoist");
        assertThat(r.out().lines())
                .as(command)
                .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        // a line never ends inside an option name ("--" then the name on the next line)
        assertThat(r.out().lines()).noneMatch(l -> l.endsWith("--"));
    }

    @Test
    void simHelpKeepsFileNamesAndOptionsWhole() {
        List<String> words = words(run("sim", "--help").out());
        assertThat(words).contains("ratio_to_br.png", "churn.png)", "--out.");
        assertThat(words).doesNotContain("png)", "out.");
    }

    @Test
    void benchHelpSummarisesEachBenchmarkInACompleteSentence() {
        String help = run("bench", "--help").out();
        String commands = help.substring(help.indexOf("Commands:"));
        assertThat(commands.replaceAll("\\s+", " "))
                .contains("node Measure a node's footprint: traffic, CPU and heap per node in a simulated overlay.");
        assertThat(commands.strip()).doesNotEndWith("under");
    }

    @Test
    void benchNodeHelpIsOneParagraphWrappedToTheWidth() {
        String help = run("bench", "node", "--help").out();
        String description = help.substring(help.indexOf("Runs real node cores"), help.indexOf("-h, --help"));
        // wrapped at the width, not at the source's line breaks: every line but the paragraph's last is well filled
        List<String> lines = description.strip().lines().toList();
        assertThat(lines).hasSizeGreaterThan(2);
        for (int i = 0; i < lines.size() - 1; i++) {
            int next = lines.get(i + 1).strip().split(" ")[0].length();
            assertThat(lines.get(i).length() + 1 + next).as(lines.get(i)).isGreaterThan(80);
        }
        assertThat(description.replaceAll("\\s+", " ")).contains("(% of one core)");
    }

    @Test
    void wrapBreaksAtSpacesOnly() {
        StringBuilder out = new StringBuilder();
        HelpText.wrap("aaa bbb.ccc ddd--eee fff", 8, out);
        assertThat(out.toString()).isEqualTo("aaa\nbbb.ccc\nddd--eee\nfff\n");
    }
}
