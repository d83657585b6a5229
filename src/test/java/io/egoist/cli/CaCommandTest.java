package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.security.ca.CaBundle;
import io.egoist.security.ca.Credentials;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.RevocationList;
import io.egoist.wire.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaCommandTest {
    @TempDir
    Path tmp;

    @Test
    void initIssueRevokeMakeCredentialsAndARevocationList() throws Exception {
        Path ca = tmp.resolve("ca"), node = tmp.resolve("node"), tracker = tmp.resolve("tracker");
        Cli.Run init = Cli.run("ca", "init", "--out", ca.toString());
        assertThat(init.exit()).isZero();
        assertThat(init.out()).startsWith("egoist ca: created CN=egoist network CA ");
        assertThat(ca.resolve("ca.key")).exists();
        assertThat(ca.resolve("crl.pem")).exists();

        Cli.Run issue = Cli.run(
                "ca",
                "issue",
                "--ca",
                ca.toString(),
                "--id",
                "127.0.0.1:7000",
                "--out",
                node.toString(),
                "--days",
                "30");
        assertThat(issue.exit()).as(issue.err()).isZero();
        assertThat(issue.out()).contains("issued egoist:node:127.0.0.1:7000 serial ");
        assertThat(Cli.run("ca", "issue", "--ca", ca.toString(), "--id", "tracker", "--out", tracker.toString())
                        .exit())
                .isZero();
        Instant now = Instant.now();
        Credentials c = Credentials.loadDir(node, now);
        assertThat(c.id()).isEqualTo(MemberId.of(NodeId.parse("127.0.0.1:7000")));
        assertThat(c.certificate().getNotAfter().toInstant()).isBefore(now.plusSeconds(31L * 86400));
        assertThat(Credentials.loadDir(tracker, now).id()).isEqualTo(MemberId.TRACKER);

        Cli.Run revoke = Cli.run("ca", "revoke", "--ca", ca.toString(), "--id", "127.0.0.1:7000");
        assertThat(revoke.exit()).as(revoke.err()).isZero();
        assertThat(revoke.out()).contains("revoked 1 certificate(s) of 127.0.0.1:7000");
        RevocationList crl = RevocationList.load(ca.resolve("crl.pem"), CaBundle.load(ca.resolve("ca.crt")));
        assertThat(crl.isRevoked(c.certificate())).isTrue();
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        Path ca = tmp.resolve("ca");
        assertThat(Cli.run("ca", "init", "--out", ca.toString()).exit()).isZero();

        assertUsage(Cli.run("ca", "init", "--out", ca.toString()), "egoist ca init: ", "a CA is there already");
        assertUsage(
                Cli.run(
                        "ca",
                        "issue",
                        "--ca",
                        ca.toString(),
                        "--id",
                        "10.0.0.300:7000",
                        "--out",
                        tmp.resolve("x").toString()),
                "egoist ca issue: --id: ",
                "IPv4 octet out of range");
        assertUsage(
                Cli.run(
                        "ca",
                        "issue",
                        "--ca",
                        tmp.resolve("none").toString(),
                        "--id",
                        "tracker",
                        "--out",
                        tmp.resolve("x").toString()),
                "egoist ca issue: ",
                "no such file");
        assertUsage(
                Cli.run(
                        "ca",
                        "issue",
                        "--ca",
                        ca.toString(),
                        "--id",
                        "tracker",
                        "--out",
                        tmp.resolve("x").toString(),
                        "--days",
                        "0"),
                "egoist ca issue: ",
                "--days must be at least 1");
        assertUsage(
                Cli.run("ca", "revoke", "--ca", ca.toString(), "--id", "10.0.0.1:7000"),
                "egoist ca revoke: ",
                "no certificate was issued");
        assertUsage(Cli.run("ca", "issue", "--ca", ca.toString(), "--id", "tracker"), "egoist ca issue: ", "--out");
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(Files.readString(ca.resolve("issued.tsv")).lines()).hasSize(1);
    }

    private static void assertUsage(Cli.Run run, String prefix, String what) {
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(prefix).contains(what);
        assertThat(run.err().strip().lines()).hasSize(1);
    }
}
