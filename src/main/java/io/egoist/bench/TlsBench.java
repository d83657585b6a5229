package io.egoist.bench;

import io.egoist.core.Event;
import io.egoist.runtime.EchoProber;
import io.egoist.runtime.EchoServer;
import io.egoist.runtime.Netty;
import io.egoist.runtime.OutboundDelay;
import io.egoist.security.ca.CaException;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Probe round-trip time on loopback over plain lines and over mutual TLS 1.3, side by side: one echo server and
 * one prober of each kind, probes sent one at a time over the established connection, plain and TLS rounds
 * alternating so that both see the same machine load. A benchmark, never a test assertion.
 */
public final class TlsBench {
    /** Medians and 90th percentiles of both, in ms. */
    public record Result(int probes, double plainMedian, double plainP90, double tlsMedian, double tlsP90) {}

    private TlsBench() {}

    public static Result run(int rounds, int perRound, int warmup) throws CaException, IOException {
        Path tmp = Files.createTempDirectory("egoist-bench-tls");
        EventLoopGroup serverGroup = Netty.newGroup(1, "bench-echo");
        EventLoopGroup clientGroup = Netty.newGroup(1, "bench-prober");
        try {
            NetworkCa ca = NetworkCa.init(tmp.resolve("ca"), Instant.now(), 30);
            ca.writeMember(ca.issue(MemberId.parse("127.0.0.1:7000"), Instant.now(), 1), tmp.resolve("server"));
            ca.writeMember(ca.issue(MemberId.TRACKER, Instant.now(), 1), tmp.resolve("client"));
            TlsMembers serverTls = load(tmp.resolve("server")), clientTls = load(tmp.resolve("client"));
            try (EchoServer plain = new EchoServer(serverGroup, null);
                    EchoServer tls = new EchoServer(serverGroup, null).tls(serverTls);
                    EchoProber plainProber = new EchoProber(clientGroup.next(), 1, OutboundDelay.NONE);
                    EchoProber tlsProber = new EchoProber(clientGroup.next(), 1, OutboundDelay.NONE)
                            .tls(clientTls, new RefusalLog(), "bench")) {
                NodeId plainTarget = new NodeId("127.0.0.1", plain.listen("127.0.0.1", 0) - 1);
                NodeId tlsTarget = new NodeId("127.0.0.1", tls.listen("127.0.0.1", 0) - 1);
                // the prober takes only the certificate of the id the echo port belongs to: issue it now the port is
                // known
                ca.writeMember(ca.issue(MemberId.of(tlsTarget), Instant.now(), 1), tmp.resolve("server"));
                serverTls.reload();
                probe(plainProber, plainTarget, warmup);
                probe(tlsProber, tlsTarget, warmup);
                List<Double> p = new ArrayList<>(), t = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    p.addAll(probe(plainProber, plainTarget, perRound));
                    t.addAll(probe(tlsProber, tlsTarget, perRound));
                }
                return new Result(p.size(), pct(p, 0.5), pct(p, 0.9), pct(t, 0.5), pct(t, 0.9));
            }
        } finally {
            Netty.shutdown(serverGroup);
            Netty.shutdown(clientGroup);
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }

    private static TlsMembers load(Path d) throws CaException {
        return TlsMembers.load(
                d.resolve(NetworkCa.BUNDLE), d.resolve(NetworkCa.MEMBER_CERT), d.resolve(NetworkCa.MEMBER_KEY));
    }

    private static List<Double> probe(EchoProber prober, NodeId target, int n) {
        List<Double> rtts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CompletableFuture<Event.ProbeResult> f = new CompletableFuture<>();
            prober.probe(target, 5_000, f::complete);
            Event.ProbeResult r = f.orTimeout(10, TimeUnit.SECONDS).join();
            if (!r.answered()) throw new IllegalStateException("probe of " + target + " not answered");
            rtts.add(r.rttMs());
        }
        return rtts;
    }

    static double pct(List<Double> values, double q) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        return s.get((int) Math.min(s.size() - 1, Math.floor(q * s.size())));
    }
}
