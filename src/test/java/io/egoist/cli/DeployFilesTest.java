package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.egoist.node.NodeConfig;
import io.egoist.tracker.TrackerConfig;
import io.egoist.web.ControlApi;
import io.egoist.wire.Seed;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The files that run egoist as a service, checked statically (no container engine runs here, so no image is
 * built): the Dockerfile's stages, user and ports; compose.yaml's commands parsed by the real CLI and its
 * addresses consistent; the systemd units verified by {@code systemd-analyze verify} where it exists.
 */
class DeployFilesTest {

    @TempDir
    Path dir;

    /** One Dockerfile instruction: keyword and the rest of the (continued) line. */
    record Instruction(String keyword, String args) {}

    static List<List<Instruction>> dockerStages() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"), StandardCharsets.UTF_8);
        List<List<Instruction>> stages = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) continue;
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String full = pending.append(line).toString().strip();
            pending.setLength(0);
            String[] kv = full.split("\\s+", 2);
            Instruction in = new Instruction(kv[0].toUpperCase(), kv.length > 1 ? kv[1] : "");
            if (in.keyword().equals("FROM")) stages.add(new ArrayList<>());
            assertThat(stages).as("instruction before the first FROM: " + full).isNotEmpty();
            stages.get(stages.size() - 1).add(in);
        }
        return stages;
    }

    static List<String> args(List<Instruction> stage, String keyword) {
        return stage.stream()
                .filter(i -> i.keyword().equals(keyword))
                .map(Instruction::args)
                .toList();
    }

    static int nodeDefaultPort() {
        CommandLine cl = EgoistCli.newCommandLine();
        cl.parseArgs("node", "--tracker", "127.0.0.1");
        return cl.getSubcommands()
                .get("node")
                .getCommandSpec()
                .findOption("--port")
                .getValue();
    }

    @Test
    void dockerfileBuildsWithMavenAndRunsTheJarOnAJreAsANonRootUser() throws Exception {
        List<List<Instruction>> stages = dockerStages();
        assertThat(stages).hasSize(2);
        List<Instruction> build = stages.get(0), runtime = stages.get(1);

        String buildFrom = args(build, "FROM").get(0);
        assertThat(buildFrom).containsIgnoringCase("maven").containsIgnoringCase(" AS build");
        assertThat(args(build, "RUN")).anyMatch(r -> r.contains("mvn") && r.contains("package"));
        for (String copy : args(build, "COPY")) {
            String[] parts = copy.split("\\s+");
            for (int i = 0; i < parts.length - 1; i++)
                assertThat(Path.of(parts[i])).as("COPY source " + parts[i]).exists();
        }

        assertThat(args(runtime, "FROM").get(0)).containsIgnoringCase("jre");
        assertThat(args(runtime, "COPY"))
                .anyMatch(c -> c.startsWith("--from=build ") && c.contains("target/egoist.jar /opt/egoist/egoist.jar"));
        for (String copy : args(runtime, "COPY")) {
            if (copy.startsWith("--from=")) continue;
            String[] parts = copy.split("\\s+");
            for (int i = 0; i < parts.length - 1; i++)
                assertThat(Path.of(parts[i])).as("COPY source " + parts[i]).exists();
        }

        List<String> user = args(runtime, "USER");
        assertThat(user).hasSize(1);
        assertThat(user.get(0)).isNotIn("root", "0", "0:0", "root:root");
        assertThat(args(runtime, "RUN")).anyMatch(r -> r.contains("useradd") && r.contains(user.get(0)));
        int lastUser = runtime.indexOf(new Instruction("USER", user.get(0)));
        assertThat(runtime.subList(lastUser, runtime.size()))
                .as("nothing after USER runs as root")
                .noneMatch(i -> i.keyword().equals("RUN"));

        List<Integer> exposed = args(runtime, "EXPOSE").stream()
                .flatMap(e -> Arrays.stream(e.split("\\s+")))
                .map(p -> Integer.parseInt(p.replace("/tcp", "")))
                .toList();
        int p = nodeDefaultPort();
        assertThat(exposed)
                .containsExactlyInAnyOrder(
                        Seed.BOOTSTRAP_PORT, TrackerConfig.DEFAULT_HTTP_PORT, p, p + 1, ControlApi.DEFAULT_PORT);

        List<String> entry = args(runtime, "ENTRYPOINT");
        assertThat(entry).hasSize(1);
        assertThat(entry.get(0)).startsWith("[\"java\"").contains("\"-jar\", \"/opt/egoist/egoist.jar\"");
        assertThat(args(runtime, "STOPSIGNAL")).containsExactly("SIGTERM");
        assertThat(Files.readString(Path.of(".dockerignore"))).contains("target/");
    }

    @Test
    void composeRunsATrackerAndThreeNodesWithValidCommandsAndConsistentAddresses() throws Exception {
        JsonNode compose = new YAMLMapper().readTree(Path.of("compose.yaml").toFile());
        JsonNode services = compose.get("services");
        Map<String, TrackerConfig> trackers = new HashMap<>();
        Map<String, NodeConfig> nodes = new HashMap<>();
        Map<String, String> addressOf = new HashMap<>();
        String image = services.get("tracker").get("image").asText();
        assertThat(services.get("tracker").get("build").asText()).isEqualTo(".");
        for (Map.Entry<String, JsonNode> s : services.properties()) {
            JsonNode svc = s.getValue();
            assertThat(svc.get("image").asText()).as(s.getKey() + " image").isEqualTo(image);
            addressOf.put(
                    s.getKey(),
                    svc.get("networks").get("overlay").get("ipv4_address").asText());
            List<String> command = new ArrayList<>();
            svc.get("command").forEach(a -> command.add(a.asText()));
            // The real CLI's picocli model parses the command exactly as the container's entrypoint would.
            CommandLine cl = EgoistCli.newCommandLine();
            cl.parseArgs(command.toArray(String[]::new));
            Object cmd = cl.getSubcommands().get(command.get(0)).getCommand();
            if (cmd instanceof TrackerCommand t) trackers.put(s.getKey(), t.config());
            else if (cmd instanceof NodeCommand n) nodes.put(s.getKey(), n.config());
            else throw new AssertionError(s.getKey() + " runs neither tracker nor node: " + command);
        }
        assertThat(trackers).containsOnlyKeys("tracker");
        assertThat(nodes).hasSize(3);
        TrackerConfig tracker = trackers.get("tracker");
        assertThat(services.get("tracker").get("ports").toString()).contains(tracker.port() + ":" + tracker.port());
        String subnet = compose.at("/networks/overlay/ipam/config/0/subnet").asText();
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        assertThat(subnet).endsWith(".0/24");
        for (Map.Entry<String, NodeConfig> n : nodes.entrySet()) {
            NodeConfig c = n.getValue();
            assertThat(c.trackerHost()).isEqualTo(addressOf.get("tracker"));
            assertThat(c.trackerPort()).isEqualTo(tracker.port());
            assertThat(c.self().ip()).as(n.getKey() + " --host").isEqualTo(addressOf.get(n.getKey()));
            assertThat(c.self().ip()).startsWith(prefix);
            assertThat(services.get(n.getKey()).get("depends_on").toString()).contains("tracker");
        }
        assertThat(addressOf.values()).doesNotHaveDuplicates();
    }

    @Test
    void systemdUnitsStartValidCommandsAndPassSystemdAnalyzeVerify() throws Exception {
        Map<String, Path> units = Map.of(
                "tracker", Path.of("deploy/systemd/egoist-tracker.service"),
                "node", Path.of("deploy/systemd/egoist-node.service"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> copies = new ArrayList<>();
        for (Map.Entry<String, Path> u : units.entrySet()) {
            String text = Files.readString(u.getValue(), StandardCharsets.UTF_8);
            String exec = text.lines()
                    .filter(l -> l.startsWith("ExecStart="))
                    .findFirst()
                    .orElseThrow();
            assertThat(text).contains("KillSignal=SIGTERM", "DynamicUser=yes", "WantedBy=multi-user.target");
            // ExecStart's egoist arguments, with the installed config file replaced by the shipped example.
            List<String> argv = List.of(exec.substring("ExecStart=".length()).split("\\s+"));
            List<String> egoist =
                    new ArrayList<>(argv.subList(argv.indexOf("/opt/egoist/egoist.jar") + 1, argv.size()));
            assertThat(egoist.get(0)).isEqualTo(u.getKey());
            int config = egoist.indexOf("--config");
            assertThat(egoist.get(config + 1)).isEqualTo("/etc/egoist/" + u.getKey() + ".yaml");
            egoist.set(config + 1, "deploy/" + u.getKey() + ".example.yaml");
            CommandLine cl = EgoistCli.newCommandLine();
            cl.parseArgs(egoist.toArray(String[]::new));
            Object cmd = cl.getSubcommands().get(u.getKey()).getCommand();
            if (cmd instanceof TrackerCommand t)
                assertThat(t.config().dataDir()).isEqualTo(Path.of("/var/lib/egoist-tracker"));
            else assertThat(((NodeCommand) cmd).config().k()).isPositive();
            // systemd-analyze checks that ExecStart's binary exists: point it at this JVM's java.
            Path copy = dir.resolve(u.getValue().getFileName());
            Files.writeString(copy, text.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " "));
            copies.add(copy.toString());
        }
        String tool = findOnPath("systemd-analyze");
        assumeTrue(
                tool != null,
                "systemd-analyze is not installed: the units' syntax was not verified (install the systemd package)");
        List<String> cmd = new ArrayList<>(List.of(tool, "verify"));
        cmd.addAll(copies);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("systemd-analyze verify output").isBlank();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void systemdAnalyzeVerifyCatchesAMistake() throws Exception {
        String tool = findOnPath("systemd-analyze");
        assumeTrue(tool != null, "systemd-analyze is not installed: nothing to check");
        Path bad = dir.resolve("bad.service");
        Files.writeString(bad, "[Service]\nExecStart=/nonexistent/java -jar x.jar\nKilSignal=SIGTERM\n");
        Process p = new ProcessBuilder(tool, "verify", bad.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("KilSignal");
    }

    static String findOnPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }
}
