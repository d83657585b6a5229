package io.egoist.cli;

import static io.egoist.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.egoist.cli.Cli.Run;
import io.egoist.node.NodeConfig;
import io.egoist.tracker.TrackerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --config FILE} on {@code tracker} and {@code node}: the shipped examples, YAML, properties, errors. */
class ConfigFileTest {

    @TempDir
    Path dir;

    static final Path TRACKER_EXAMPLE = Path.of("deploy", "tracker.example.yaml");
    static final Path NODE_EXAMPLE = Path.of("deploy", "node.example.yaml");

    /** The command's spec after parsing {@code args} with the real CLI (nothing runs). */
    static CommandSpec parsed(String command, String... args) {
        CommandLine cl = EgoistCli.newCommandLine();
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        cl.parseArgs(all.toArray(String[]::new));
        return cl.getSubcommands().get(command).getCommandSpec();
    }

    static Map<String, String> yamlEntries(Path file) throws Exception {
        JsonNode root = new YAMLMapper().readTree(file.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        root.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The example sets exactly what the same entries given as flags set, for every option of the command. */
    private static void assertFileEqualsFlags(String command, Path example) throws Exception {
        Map<String, String> entries = yamlEntries(example);
        assertThat(entries).isNotEmpty();
        CommandSpec fromFile = parsed(command, "--config", example.toString());
        CommandSpec fromFlags = parsed(
                command,
                entries.entrySet().stream()
                        .map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new));
        for (OptionSpec o : fromFlags.options()) {
            if (o.longestName().equals("--config")) continue;
            assertThat((Object) fromFile.findOption(o.longestName()).getValue())
                    .as(o.longestName())
                    .isEqualTo(o.getValue());
        }
    }

    /** Every option of the command is in the example, set or commented out, so the example cannot fall behind. */
    private static void assertEveryOptionIsInTheExample(String command, Path example) throws Exception {
        String text = Files.readString(example, StandardCharsets.UTF_8);
        CommandSpec spec = parsed(command, "--config", example.toString());
        List<String> missing = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.longestName().equals("--config")) continue;
            String key = o.longestName().substring(2);
            if (!Pattern.compile("(?m)^#? ?" + Pattern.quote(key) + ":")
                    .matcher(text)
                    .find()) missing.add(key);
        }
        assertThat(missing)
                .as("options of 'egoist " + command + "' missing from " + example)
                .isEmpty();
    }

    @Test
    void trackerExampleLoadsAndSetsWhatItsFlagsWould() throws Exception {
        assertFileEqualsFlags("tracker", TRACKER_EXAMPLE);
        assertEveryOptionIsInTheExample("tracker", TRACKER_EXAMPLE);
        CommandLine cl = EgoistCli.newCommandLine();
        cl.parseArgs("tracker", "--config", TRACKER_EXAMPLE.toString());
        TrackerConfig c = ((TrackerCommand) cl.getSubcommands().get("tracker").getCommand()).config();
        assertThat(c.port()).isEqualTo(61223);
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.maxRegsPerConnection()).isEqualTo(8);
    }

    @Test
    void nodeExampleLoadsAndSetsWhatItsFlagsWould() throws Exception {
        assertFileEqualsFlags("node", NODE_EXAMPLE);
        assertEveryOptionIsInTheExample("node", NODE_EXAMPLE);
        CommandLine cl = EgoistCli.newCommandLine();
        cl.parseArgs("node", "--config", NODE_EXAMPLE.toString());
        NodeConfig c = ((NodeCommand) cl.getSubcommands().get("node").getCommand()).config();
        assertThat(c.trackerHost()).isEqualTo("127.0.0.1");
        assertThat(c.trackerPort()).isEqualTo(61223);
        assertThat(c.k()).isEqualTo(3);
    }

    @Test
    void valuesFromAFileReachTheConfigAndFlagsWin() throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, "port: 4000\nhttp-port: -1\nmax-nodes: 7\nidle-timeout: 0.25\n");
        CommandLine cl = EgoistCli.newCommandLine();
        cl.parseArgs("tracker", "--port", "4001", "--config", f.toString());
        TrackerConfig c = ((TrackerCommand) cl.getSubcommands().get("tracker").getCommand()).config();
        assertThat(c.port()).isEqualTo(4001); // the flag
        assertThat(c.httpPort()).isEqualTo(-1);
        assertThat(c.maxNodes()).isEqualTo(7);
        assertThat(c.idleTimeoutMs()).isEqualTo(250);
        assertThat(c.maxLinks()).isEqualTo(TrackerConfig.DEFAULT_MAX_LINKS); // not in the file: the default
    }

    @Test
    void propertiesFileWorksAndCanSupplyTheRequiredTrackerAndABooleanFlag() throws Exception {
        Path f = dir.resolve("node.properties");
        Files.writeString(f, "# a node\ntracker = 10.1.2.3:5000\nk=5\nv02=true\npolicy=k-closest\n");
        CommandLine cl = EgoistCli.newCommandLine();
        cl.parseArgs("node", "--config", f.toString());
        NodeCommand cmd = cl.getSubcommands().get("node").getCommand();
        NodeConfig c = cmd.config();
        assertThat(c.trackerHost()).isEqualTo("10.1.2.3");
        assertThat(c.trackerPort()).isEqualTo(5000);
        assertThat(c.k()).isEqualTo(5);
        assertThat(c.policy()).isEqualTo("k-closest");
        assertThat(c.features()).isEmpty(); // --v02
        CommandLine again = EgoistCli.newCommandLine();
        again.parseArgs("node", "--config", f.toString(), "--k", "2");
        assertThat(((NodeCommand) again.getSubcommands().get("node").getCommand())
                        .config()
                        .k())
                .isEqualTo(2);
    }

    @Test
    void withoutConfigTheDefaultsStay() {
        CommandSpec spec = parsed("tracker");
        assertThat((Integer) spec.findOption("--port").getValue()).isEqualTo(61223);
        assertThat(run("tracker", "--help").out()).contains("--config=FILE", "61223");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "t.yaml|prot: 4000|'prot'",
                "t.yaml|port: abc|'port'",
                "t.yaml|max-nodes: [1, 2]|'max-nodes'",
                "t.yaml|bind:\\n  a: b|'bind'",
                "t.yaml|port: 1\\nport: 2|port",
                "t.yaml|port: [unclosed|YAML",
                "t.yaml|- port|mapping",
                "t.yaml|config: other.yaml|'config'",
                "t.yaml|help: true|'help'",
                "t.properties|remove-period=soon|'remove-period'",
                "t.properties|--port=1|'--port'",
                "missing.yaml||no such file"
            })
    void badFileIsAOneLineErrorNamingFileAndKeyWithExitCode2(String spec) throws Exception {
        String[] p = spec.split("\\|", -1);
        Path f = dir.resolve(p[0]);
        if (!p[0].startsWith("missing")) Files.writeString(f, p[1].replace("\\n", "\n") + "\n");
        Run r = run("tracker", "--config", f.toString(), "--data", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("egoist")
                .doesNotContain("\n")
                .contains("config file " + f)
                .contains(p[2]);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badValueForTheNodeNamesKeyAndFile() throws Exception {
        Path f = dir.resolve("n.yaml");
        Files.writeString(f, "tracker: 127.0.0.1\nheartbeat-misses: three\n");
        Run r = run("node", "--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("config file " + f, "'heartbeat-misses'", "three");
    }
}
