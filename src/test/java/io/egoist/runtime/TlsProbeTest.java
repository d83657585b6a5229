package io.egoist.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.Event;
import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probes over TLS: answered by the member whose id the echo port belongs to, refused from an impostor. */
class TlsProbeTest {
    @TempDir
    Path dir;

    final EventLoopGroup group = Netty.newGroup(1, "tls-probe-test");

    @AfterEach
    void tearDown() {
        Netty.shutdown(group);
    }

    static Event.ProbeResult probe(EchoProber prober, NodeId target) {
        CompletableFuture<Event.ProbeResult> f = new CompletableFuture<>();
        prober.probe(target, 3_000, f::complete);
        return f.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void theEchoPortMustBelongToTheIdInItsCertificate() throws Exception {
        TestPki pki = new TestPki(dir);
        // the owner's certificate can only be issued once its port is known: issue a placeholder, bind, re-issue
        TlsMembers owner = TestPki.members(pki.issue("owner", "127.0.0.1:7000"));
        TlsMembers impostor = TestPki.members(pki.issue("impostor", "127.0.0.1:7000"));
        try (EchoServer ownerEcho = new EchoServer(group, null).tls(owner);
                EchoServer impostorEcho = new EchoServer(group, null).tls(impostor);
                EchoProber prober = new EchoProber(group.next(), 4, OutboundDelay.NONE)
                        .tls(TestPki.members(pki.issue("prober", "tracker")), new RefusalLog(), "test")) {
            NodeId ownerId = new NodeId("127.0.0.1", ownerEcho.listen("127.0.0.1", 0) - 1);
            NodeId otherId = new NodeId("127.0.0.1", impostorEcho.listen("127.0.0.1", 0) - 1);
            pki.issue("owner", ownerId.toString());
            owner.reload();

            Event.ProbeResult answered = probe(prober, ownerId);
            assertThat(answered.answered()).isTrue();
            // the impostor is a member, but its certificate names 127.0.0.1:7000, not the id of the port it serves
            assertThat(probe(prober, otherId).answered()).isFalse();
            assertThat(ownerEcho.openConnections()).isEqualTo(1);
            // counted from its accept (handshake included) until the prober's refusal closes it
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> impostorEcho.openConnections() == 0);
        }
    }
}
