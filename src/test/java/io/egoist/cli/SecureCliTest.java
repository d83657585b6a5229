package io.egoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --ca/--cert/--key and --http-token-file on the real CLI: bad input is one line and exit code 2. */
class SecureCliTest {
    @TempDir
    Path tmp;

    private Path issue(Path ca, String id, String name) {
        Path out = tmp.resolve(name);
        assertThat(Cli.run("ca", "issue", "--ca", ca.toString(), "--id", id, "--out", out.toString())
                        .exit())
                .isZero();
        return out;
    }

    private static String[] creds(Path d) {
        return new String[] {
            "--ca", d.resolve("ca.crt").toString(),
            "--cert", d.resolve("member.crt").toString(),
            "--key", d.resolve("member.key").toString()
        };
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void assertUsage(Cli.Run run, String prefix, String what) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(prefix).contains(what);
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    @Test
    void badCredentialsAreOneLineAndExitCode2() throws Exception {
        Path ca = tmp.resolve("ca");
        assertThat(Cli.run("ca", "init", "--out", ca.toString()).exit()).isZero();
        Path tracker = issue(ca, "tracker", "t"), node = issue(ca, "127.0.0.1:7000", "n");
        String data = tmp.resolve("data").toString();

        assertUsage(
                Cli.run(
                        "tracker",
                        "--port",
                        "0",
                        "--http-port",
                        "-1",
                        "--data",
                        data,
                        "--ca",
                        tracker.resolve("ca.crt").toString()),
                "egoist tracker: ",
                "secure mode needs all of --ca, --cert and --key");
        assertUsage(
                Cli.run(concat(
                        new String[] {"tracker", "--port", "0", "--http-port", "-1", "--data", data}, creds(node))),
                "egoist tracker: ",
                "the certificate is for 127.0.0.1:7000, not for the tracker");
        String[] mixed = creds(tracker);
        mixed[5] = node.resolve("member.key").toString();
        assertUsage(
                Cli.run(concat(new String[] {"tracker", "--port", "0", "--http-port", "-1", "--data", data}, mixed)),
                "egoist tracker: ",
                "is not the key of the certificate");
        Files.writeString(tmp.resolve("empty"), "\n");
        assertUsage(
                Cli.run(concat(
                        new String[] {"tracker", "--port", "0", "--http-port", "-1", "--data", data},
                        concat(
                                creds(tracker),
                                "--http-token-file",
                                tmp.resolve("empty").toString()))),
                "egoist tracker: ",
                "--http-token-file: the file is empty");
        assertUsage(
                Cli.run(concat(
                        new String[] {"node", "--tracker", "127.0.0.1:1", "--port", "7002", "--control-port", "-1"},
                        creds(node))),
                "egoist node: ",
                "the certificate is for 127.0.0.1:7000, not for this node 127.0.0.1:7002");
        assertUsage(
                Cli.run(concat(
                        new String[] {"node", "--tracker", "127.0.0.1:1", "--port", "7000", "--control-port", "-1"},
                        creds(tracker))),
                "egoist node: ",
                "the certificate is for tracker");
        assertThat(tmp.resolve("data")).doesNotExist();
    }
}
