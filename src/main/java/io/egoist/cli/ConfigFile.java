package io.egoist.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} for any command: a mixin that makes itself the command's default value provider, so every
 * long option of the command (also those added later) can come from the file, and an option given on the command
 * line wins over the file. Keys are the long option names without {@code --} ({@code port}, {@code http-port});
 * the file is YAML when its name ends in {@code .yaml} or {@code .yml}, else Java properties. Unknown keys,
 * values that are not one scalar, and values the option cannot take are one-line errors naming the key and the
 * file (a {@link CommandLine.ParameterException}: exit code 2).
 */
public final class ConfigFile implements CommandLine.IDefaultValueProvider {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Read options from this file: YAML if it ends in .yaml or .yml, else Java properties; "
                            + "keys are the long option names without '--' (port: 7000). Options given on the command line win.")
    Path file;

    private CommandSpec command;
    private Path loadedFrom;
    private Map<String, String> values = Map.of();

    /** Called by picocli when the mixin is added to a command: from then on this supplies its defaults. */
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    void setCommand(CommandSpec command) {
        this.command = command;
        command.defaultValueProvider(this);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (file == null || !(arg instanceof OptionSpec option)) return null;
        if (!file.equals(loadedFrom)) {
            values = check(read(file));
            loadedFrom = file;
        }
        for (String name : option.names()) {
            String v = values.get(key(name));
            if (v != null) return v;
        }
        return null;
    }

    /** The options a file may set, by key: every long option but --config, --help and --version. */
    Map<String, OptionSpec> settable() {
        Map<String, OptionSpec> byKey = new TreeMap<>();
        for (OptionSpec o : command.options()) {
            if (o.usageHelp() || o.versionHelp() || o.names()[0].equals("--config")) continue;
            for (String name : o.names()) if (name.startsWith("--")) byKey.put(key(name), o);
        }
        return byKey;
    }

    private static String key(String optionName) {
        return optionName.startsWith("--") ? optionName.substring(2) : optionName;
    }

    /** Every key must name an option, and every value must be one the option takes. */
    private Map<String, String> check(Map<String, String> raw) {
        Map<String, OptionSpec> settable = settable();
        // A fresh instance of the same command converts each value exactly as the command line would.
        CommandLine scratch = new CommandLine(command.userObject().getClass());
        for (Map.Entry<String, String> e : raw.entrySet()) {
            OptionSpec option = settable.get(e.getKey());
            if (option == null) {
                throw error("unknown key '" + e.getKey() + "' (keys are the long options of 'egoist "
                        + command.name() + "' without '--', e.g. '"
                        + settable.keySet().iterator().next() + "')");
            }
            try {
                scratch.parseArgs("--" + e.getKey() + "=" + e.getValue());
            } catch (CommandLine.MissingParameterException fine) {
                // the value converted; only other options (given elsewhere) are missing in the scratch parse
            } catch (CommandLine.ParameterException bad) {
                throw error("key '" + e.getKey() + "': " + oneLine(bad.getMessage()));
            }
        }
        return raw;
    }

    private Map<String, String> read(Path path) {
        String name =
                path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.exists(path)) throw error("no such file");
        if (!Files.isRegularFile(path)) throw error("not a regular file");
        try {
            return name.endsWith(".yaml") || name.endsWith(".yml") ? readYaml(path) : readProperties(path);
        } catch (NoSuchFileException e) {
            throw error("no such file");
        } catch (JacksonException e) {
            throw error("not valid YAML: " + oneLine(e.getOriginalMessage()));
        } catch (IOException | IllegalArgumentException e) {
            throw error("cannot read it: " + oneLine(e.getMessage()));
        }
    }

    private static Map<String, String> readProperties(Path path) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : new TreeSet<>(p.stringPropertyNames()))
            out.put(k.trim(), p.getProperty(k).trim());
        return out;
    }

    private Map<String, String> readYaml(Path path) throws IOException {
        YAMLMapper yaml = YAMLMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .build();
        JsonNode root;
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            root = yaml.readTree(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) return out; // an empty file sets nothing
        if (!root.isObject()) throw error("the YAML must be a mapping of option names to values");
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull())
                throw error("key '" + e.getKey() + "': the value must be a single number, string or boolean");
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    private CommandLine.ParameterException error(String what) {
        return new CommandLine.ParameterException(command.commandLine(), "config file " + file + ": " + what);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\r\n]+\\s*", " ").strip();
    }
}
