package io.egoist.cli;

import io.egoist.security.ca.CaException;
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

    boolean secure() {
        return ca != null || cert != null || key != null;
    }

    /** The loaded credentials, null in open mode; a missing or bad file is a usage error (one line, exit 2). */
    TlsMembers load(CommandLine cl) {
        if (!secure()) return null;
        if (ca == null || cert == null || key == null) {
            throw new CommandLine.ParameterException(cl, "secure mode needs all of --ca, --cert and --key");
        }
        try {
            return TlsMembers.load(ca, cert, key);
        } catch (CaException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    /** The one WARN line an open process logs at start. */
    static final String OPEN_WARNING =
            "event=open-mode reason=\"no --ca/--cert/--key: anyone who can reach the ports can join, register or"
                    + " remove ids, inject link state, relay and read traffic (see docs/SECURITY.md)\"";
}
