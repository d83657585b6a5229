package io.egoist.cli;

import io.egoist.security.ca.CaException;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code egoist ca init|issue|revoke}: the network CA and its members' credentials (docs/SECURITY.md). */
@Command(
        name = "ca",
        mixinStandardHelpOptions = true,
        description = "The network CA: create it, issue member credentials, revoke them (see docs/SECURITY.md).",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Revoke.class})
public final class CaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A CA problem is about the files or values the user gave: one line, exit code 2. */
    static int fail(CommandLine.Model.CommandSpec spec, String message) {
        UsageErrors.print(spec.commandLine().getErr(), spec.commandLine(), message);
        return UsageErrors.EXIT_USAGE;
    }

    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Create a network CA (Ed25519 key, self-signed certificate, empty revocation list) in DIR.")
    static final class Init implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "Directory for ca.key, ca.crt, crl.pem, issued.tsv.")
        Path out;

        @Option(
                names = "--days",
                defaultValue = "" + NetworkCa.DEFAULT_CA_DAYS,
                description = "Validity of the CA certificate in days.")
        int days;

        @Override
        public Integer call() {
            try {
                NetworkCa ca = NetworkCa.init(out, Instant.now(), days);
                PrintWriter w = spec.commandLine().getOut();
                w.println("egoist ca: created "
                        + ca.certificate().getSubjectX500Principal().getName() + " in " + out
                        + " (ca.key: keep it secret; ca.crt: give it to every member; crl.pem: the revocation list)");
                w.flush();
                return 0;
            } catch (CaException e) {
                return fail(spec, e.getMessage());
            }
        }
    }

    @Command(
            name = "issue",
            mixinStandardHelpOptions = true,
            showDefaultValues = true,
            description = "Issue a member's key and certificate binding its id (IP:PORT of a node, or 'tracker').")
    static final class Issue implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--ca",
                required = true,
                paramLabel = "DIR",
                description = "The CA directory (from 'egoist ca init').")
        Path ca;

        @Option(names = "--id", required = true, paramLabel = "IP:PORT|tracker", description = "The member's id.")
        String id;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "Directory for member.key, member.crt and the bundle ca.crt.")
        Path out;

        @Option(names = "--days", defaultValue = "" + NetworkCa.DEFAULT_MEMBER_DAYS, description = "Validity in days.")
        int days;

        @Override
        public Integer call() {
            MemberId member;
            try {
                member = MemberId.parse(id);
            } catch (IllegalArgumentException e) {
                return fail(spec, "--id: " + e.getMessage());
            }
            try {
                NetworkCa authority = NetworkCa.load(ca);
                NetworkCa.Issued issued = authority.issue(member, Instant.now(), days);
                authority.writeMember(issued, out);
                PrintWriter w = spec.commandLine().getOut();
                w.println("egoist ca: issued " + member.uri() + " serial "
                        + issued.certificate().getSerialNumber().toString(16) + " valid until "
                        + issued.certificate().getNotAfter().toInstant() + " into " + out
                        + " (member.key, member.crt, ca.crt)");
                w.flush();
                return 0;
            } catch (CaException e) {
                return fail(spec, e.getMessage());
            }
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revoke every certificate issued for an id; rewrites the CA's signed revocation list crl.pem.")
    static final class Revoke implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "The CA directory.")
        Path ca;

        @Option(names = "--id", required = true, paramLabel = "IP:PORT|tracker", description = "The member to cut off.")
        String id;

        @Override
        public Integer call() {
            MemberId member;
            try {
                member = MemberId.parse(id);
            } catch (IllegalArgumentException e) {
                return fail(spec, "--id: " + e.getMessage());
            }
            try {
                int n = NetworkCa.load(ca).revoke(member, Instant.now());
                PrintWriter w = spec.commandLine().getOut();
                w.println("egoist ca: revoked " + n + " certificate(s) of " + member + "; revocation list "
                        + ca.resolve(NetworkCa.CRL) + " (serve it with 'egoist tracker --crl')");
                w.flush();
                return 0;
            } catch (CaException e) {
                return fail(spec, e.getMessage());
            }
        }
    }
}
