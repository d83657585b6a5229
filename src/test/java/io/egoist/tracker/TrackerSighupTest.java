package io.egoist.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.Pem;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsLineClient;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP reloads a running tracker's credentials (the real CLI in a child JVM, {@code kill -HUP}): with a file
 * check period of an hour, only the signal can be what made it present its new certificate and obey the new
 * revocation list.
 */
@EnabledOnOs(
        value = {OS.LINUX, OS.MAC},
        disabledReason = "needs POSIX signals and the kill command")
class TrackerSighupTest {
    @TempDir
    Path dir;

    /** The serial of the certificate the TLS server at {@code port} presents to a new connection. */
    static BigInteger presentedSerial(int port, Path memberDir) throws Exception {
        try (SSLSocket s = MemberSockets.open(memberDir, "127.0.0.1", port)) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    static void hangup(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Test
    void sighupReloadsTheCertificateAndTheRevocationList() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        Path creds = pki.issue("tracker", "tracker");
        Path member = pki.issue("n1", TestPki.node(7002));
        Path crl = pki.dir.resolve("ca").resolve(NetworkCa.CRL);
        try (ChildTracker t = ChildTracker.start(
                java.util.List.of("-DEGOIST_LOG_LEVEL=INFO"), // the reload's log line is what the test reads
                dir.resolve("data"),
                dir.resolve("stderr.txt"),
                "--ca",
                creds.resolve(NetworkCa.BUNDLE).toString(),
                "--cert",
                creds.resolve(NetworkCa.MEMBER_CERT).toString(),
                "--key",
                creds.resolve(NetworkCa.MEMBER_KEY).toString(),
                "--crl",
                crl.toString(),
                "--credentials-check-period",
                "3600")) {
            int port = t.awaitPort();
            BigInteger first = Pem.readCertificates(creds.resolve(NetworkCa.MEMBER_CERT))
                    .get(0)
                    .getSerialNumber();
            assertThat(presentedSerial(port, member)).isEqualTo(first);

            // new credentials on disk, and a member revoked: the hour-long file check does not see them yet
            pki.issue("tracker", "tracker");
            BigInteger second = Pem.readCertificates(creds.resolve(NetworkCa.MEMBER_CERT))
                    .get(0)
                    .getSerialNumber();
            assertThat(second).isNotEqualTo(first);
            pki.ca.revoke(MemberId.parse(TestPki.node(7002)), Instant.now());
            assertThat(presentedSerial(port, member)).isEqualTo(first);

            hangup(t.process);

            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> t.stderrText().contains("event=tls-reload trigger=sighup"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("no reload logged; the tracker's stderr:\n" + t.stderrText(), e);
            }
            assertThat(t.stderrText())
                    .contains("event=tls-reload trigger=sighup changed=certificate,key,crl id=tracker serial="
                            + second.toString(16));
            // the new certificate on new connections; the revoked member is refused
            Path other = pki.issue("n2", TestPki.node(7004));
            assertThat(presentedSerial(port, other)).isEqualTo(second);
            try (TlsLineClient c = new TlsLineClient("127.0.0.1", port, TestPki.members(member))) {
                c.send("REG@127.0.0.1:7002");
                c.closed.get(10, TimeUnit.SECONDS);
                assertThat(c.lines).isEmpty();
            }
            // a second SIGHUP with nothing changed: one line that says so, and the tracker still serves
            hangup(t.process);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> t.stderrText().contains("event=tls-reload trigger=sighup changed=none"));
            assertThat(t.process.isAlive()).isTrue();
        }
    }

    @Test
    void whereSighupCannotBeHandledOneInfoLineSaysSoAndTheTrackerRuns() throws Exception {
        TestPki pki = new TestPki(dir.resolve("pki"));
        Path creds = pki.issue("tracker", "tracker");
        // -Xrs: the JVM leaves SIGHUP alone and refuses to hand it to a handler (as where there is no SIGHUP)
        try (ChildTracker t = ChildTracker.start(
                java.util.List.of("-Xrs", "-DEGOIST_LOG_LEVEL=INFO"),
                dir.resolve("data"),
                dir.resolve("stderr.txt"),
                "--ca",
                creds.resolve(NetworkCa.BUNDLE).toString(),
                "--cert",
                creds.resolve(NetworkCa.MEMBER_CERT).toString(),
                "--key",
                creds.resolve(NetworkCa.MEMBER_KEY).toString())) {
            int port = t.awaitPort();
            String err = t.stderrText();
            assertThat(err.lines().filter(l -> l.contains("event=sighup-unavailable")))
                    .singleElement()
                    .asString()
                    .contains("INFO")
                    .contains("reload=on-file-change-only");
            assertThat(presentedSerial(port, pki.issue("n1", TestPki.node(7002))))
                    .isEqualTo(Pem.readCertificates(creds.resolve(NetworkCa.MEMBER_CERT))
                            .get(0)
                            .getSerialNumber());
        }
    }
}
