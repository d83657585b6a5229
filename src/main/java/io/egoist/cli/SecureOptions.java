package io.egoist.cli;

import io.egoist.security.ca.CaException;
import io.egoist.security.tls.CredentialWatcher;
import io.egoist.security.tls.HangupSignal;
import io.egoist.security.tls.TlsMembers;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --ca FILE --cert FILE --key FILE}: secure mode for {@code egoist tracker} and {@code egoist node}. */
final class SecureOptions {
    @Option(
            names = "--ca",
            paramLabel = "FILE",
            description = "Secure mode: the CA bundle (PEM, one or more network CAs); needs --cert and --key too.")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "Secure mode: this member's certificate (PEM).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Secure mode: this member's private key (PEM).")
    Path key;

    @Option(
            names = "--crl",
            paramLabel = "FILE",
            description = "Secure mode: the revocation list (PEM CRLs, as 'egoist ca revoke' writes crl.pem); re-read"
                    + " when it changes, and revoked members' connections are closed.")
    Path crl;

    @Option(
            names = "--credentials-check-period",
            paramLabel = "SECONDS",
            description = "Secure mode: how often the credential files are checked for changes (reloaded without a"
                    + " restart) and live connections re-checked against the bundle, revocation list and expiry. SIGHUP"
                    + " reloads at once.")
    double checkPeriod = CredentialWatcher.DEFAULT_PERIOD_MS / 1000.0;

    boolean secure() {
        return ca != null || cert != null || key != null;
    }

    /**
     * Starts the watcher of a secure process's credentials (null in open mode): a reload on file change and on
     * SIGHUP (where the JVM can handle it).
     */
    CredentialWatcher watch(CommandLine cl, TlsMembers tls, Runnable recheck) {
        if (tls == null) return null;
        CredentialWatcher w = CredentialWatcher.start(
                tls, TrackerCommand.millis(cl, "--credentials-check-period", checkPeriod), recheck);
        HangupSignal.install(cl.getCommandName(), () -> w.reloadNow("sighup"));
        return w;
    }

    /** The loaded credentials, null in open mode; a missing or bad file is a usage error (one line, exit 2). */
    TlsMembers load(CommandLine cl) {
        if (!secure()) return null;
        if (ca == null || cert == null || key == null) {
            throw new CommandLine.ParameterException(cl, "secure mode needs all of --ca, --cert and --key");
        }
        try {
            TlsMembers tls = TlsMembers.load(ca, cert, key);
            if (crl != null) tls.revocationFile(crl);
            return tls;
        } catch (CaException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    /** A bearer token from a file (trimmed, printable ASCII without spaces), or null without a file. */
    static String token(CommandLine cl, String option, Path file) {
        if (file == null) return null;
        String t;
        try {
            t = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8)
                    .trim();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CommandLine.ParameterException(cl, option + ": no such file: " + file);
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(cl, option + ": cannot read " + file + " (" + e + ")");
        }
        if (t.isEmpty()) throw new CommandLine.ParameterException(cl, option + ": the file is empty");
        if (!t.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new CommandLine.ParameterException(cl, option + ": the token must be printable ASCII without spaces");
        }
        return t;
    }

    /** The one WARN line an open process logs at start. */
    static final String OPEN_WARNING =
            "event=open-mode reason=\"no --ca/--cert/--key: anyone who can reach the ports can join, register or"
                    + " remove ids, inject link state, relay and read traffic (see docs/SECURITY.md)\"";
}
