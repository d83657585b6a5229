package io.egoist.cli;

import java.util.IllegalFormatException;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * Renders a command's description wrapped at spaces only. picocli wraps where {@link java.text.BreakIterator}
 * allows, which includes after a dot and after "--": file names such as churn.png and options such as --out came
 * out split over two lines.
 */
final class HelpText {
    private HelpText() {}

    /** Installs the description renderer on {@code cl} and all its subcommands. */
    static void install(CommandLine cl) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = cl.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpText::description);
        cl.setHelpSectionMap(sections);
        for (CommandLine sub : cl.getSubcommands().values()) install(sub);
    }

    static String description(Help help) {
        CommandLine.Model.UsageMessageSpec usage = help.commandSpec().usageMessage();
        StringBuilder out = new StringBuilder();
        for (String line : usage.description()) {
            for (String paragraph : format(line).split("\\R", -1)) wrap(paragraph, usage.width(), out);
        }
        return out.toString();
    }

    /** picocli descriptions are format strings ({@code %n}, {@code %%}). */
    private static String format(String line) {
        try {
            return String.format(Locale.ROOT, line);
        } catch (IllegalFormatException e) {
            return line;
        }
    }

    /** Appends {@code text} broken into lines of at most {@code width} characters, at spaces. */
    static void wrap(String text, int width, StringBuilder out) {
        int col = 0;
        for (String word : text.strip().split(" +")) {
            if (word.isEmpty()) continue;
            if (col > 0 && col + 1 + word.length() > width) {
                out.append('\n');
                col = 0;
            }
            if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        out.append('\n');
    }
}
