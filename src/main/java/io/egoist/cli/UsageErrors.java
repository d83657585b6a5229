package io.egoist.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Bad command lines: one line on stderr, {@code egoist <command>: <what is wrong>}, and exit code 2. Also the
 * number converters, so that every option says the same thing about a value that is not a number.
 */
final class UsageErrors {
    /** Exit code of a usage error (picocli's convention too). */
    static final int EXIT_USAGE = 2;
    /** Exit code of a command that was given good options but failed (a port in use, an unreadable file). */
    static final int EXIT_FAILED = 1;

    private static final Pattern INVALID_VALUE =
            Pattern.compile("Invalid value for option '([^']+)': (.*)", Pattern.DOTALL);

    private static final Pattern UNKNOWN_SUBCOMMAND = Pattern.compile("Unknown subcommand '([^']*)'\\.?");
    private static final Pattern MISSING_VALUE =
            Pattern.compile("Missing required parameter for option '([^']+)' (\\(.*\\))");

    private UsageErrors() {}

    /** Installs the handlers and converters on {@code cl} and all its subcommands. */
    static void install(CommandLine cl) {
        cl.registerConverter(Integer.class, UsageErrors::integer);
        cl.registerConverter(Integer.TYPE, UsageErrors::integer);
        cl.registerConverter(Long.class, UsageErrors::longInteger);
        cl.registerConverter(Long.TYPE, UsageErrors::longInteger);
        cl.registerConverter(Double.class, UsageErrors::number);
        cl.registerConverter(Double.TYPE, UsageErrors::number);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            print(c.getErr(), c, describe(ex));
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            print(c.getErr(), c, ex.getMessage() == null ? ex.toString() : ex.getMessage());
            return EXIT_FAILED;
        });
    }

    /** Prints {@code egoist <command>: message} as one line. */
    static void print(PrintWriter err, CommandLine command, String message) {
        err.println(command.getCommandSpec().qualifiedName() + ": " + oneLine(message));
        err.flush();
    }

    static String oneLine(String s) {
        if (s == null || s.isBlank()) return "failed";
        return s.strip().replaceAll("\\s*[\r\n]+\\s*", " ");
    }

    /** What is wrong, without the command's name. */
    static String describe(ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        String help = "see '" + c.getCommandSpec().qualifiedName() + " --help'";
        if (!(ex instanceof UnmatchedArgumentException)
                && c.getParseResult() != null
                && !c.getParseResult().unmatched().isEmpty()) {
            // picocli checks required options before unknown ones; a misspelt required option is the real news
            ex = new UnmatchedArgumentException(c, c.getParseResult().unmatched());
        }
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String arg = unmatched.isEmpty() ? "?" : unmatched.get(0);
            String what;
            if (u.isUnknownOption()) what = "unknown option " + arg;
            else if (!c.getSubcommands().isEmpty()) what = "unknown command " + arg;
            else what = "unexpected argument " + arg;
            List<String> suggestions = u.getSuggestions().stream()
                    .filter(candidate -> similar(arg, candidate))
                    .toList();
            if (!suggestions.isEmpty()) {
                return what + " (did you mean "
                        + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?)";
            }
            return what + "; " + help;
        }
        String message = ex.getMessage() == null ? "bad command line" : ex.getMessage();
        Matcher m = INVALID_VALUE.matcher(message);
        if (m.matches()) {
            // "Invalid value for option '--k': not an integer: abc" -> "--k: not an integer: abc"
            String reason = m.group(2);
            int wrapped = reason.indexOf(": java.lang.");
            if (wrapped >= 0) reason = reason.substring(0, wrapped);
            return m.group(1) + ": " + reason;
        }
        Matcher sub = UNKNOWN_SUBCOMMAND.matcher(message);
        if (sub.matches()) {
            // `egoist help trackr`
            String typed = sub.group(1);
            List<String> close = c.getSubcommands().keySet().stream()
                    .filter(name -> similar(typed, name))
                    .toList();
            return "unknown command " + typed
                    + (close.isEmpty() ? "; " + help : " (did you mean " + String.join(" or ", close) + "?)");
        }
        Matcher noValue = MISSING_VALUE.matcher(message);
        if (noValue.matches()) return noValue.group(1) + " needs a value " + noValue.group(2);
        if (message.startsWith("Missing required option")) {
            return message.replace("Missing required option: ", "missing required option ")
                            .replace("Missing required options: ", "missing required options ")
                            .replace("'", "")
                    + "; " + help;
        }
        // picocli's own sentences start with a capital; ours, after the command's name, do not
        if (message.length() > 1
                && Character.isUpperCase(message.charAt(0))
                && Character.isLowerCase(message.charAt(1)))
            message = Character.toLowerCase(message.charAt(0)) + message.substring(1);
        return message;
    }

    /** Close enough to be a typo: a few edits apart, or one a prefix of the other. */
    static boolean similar(String typed, String candidate) {
        String a = typed.toLowerCase(Locale.ROOT), b = candidate.toLowerCase(Locale.ROOT);
        int eq = a.indexOf('=');
        if (eq > 0) a = a.substring(0, eq);
        if (a.length() >= 3 && (a.startsWith(b) || b.startsWith(a))) return true;
        return editDistance(a, b) <= Math.max(1, Math.min(a.length(), b.length()) / 3);
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int subst = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(subst, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Why an I/O operation on a file failed, in a few words (Java's messages often give only the path). */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileAlreadyExistsException) return "a file of that name exists (not a directory)";
        if (e instanceof FileSystemException f && f.getReason() != null)
            return f.getReason().toLowerCase(Locale.ROOT);
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    static int integer(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException(
                    (looksIntegral(s) ? "out of range: " : "not an integer: ") + s);
        }
    }

    static long longInteger(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException(
                    (looksIntegral(s) ? "out of range: " : "not an integer: ") + s);
        }
    }

    /** A number; NaN and Infinity are accepted here and refused by the option's own range check. */
    static double number(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("not a number: " + s);
        }
    }

    private static boolean looksIntegral(String s) {
        return s.strip().matches("[-+]?\\d+");
    }
}
