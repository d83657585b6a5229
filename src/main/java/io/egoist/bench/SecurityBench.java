package io.egoist.bench;

import io.egoist.security.ca.CaBundle;
import io.egoist.security.ca.CaException;
import io.egoist.security.ca.Credentials;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.e2e.DataBox;
import io.egoist.security.sign.CertificateMemberKeys;
import io.egoist.security.sign.LinkStateSigning;
import io.egoist.security.sign.MemberIdentity;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What secure mode costs per announcement and per DATA message, measured side by side with open mode in one run:
 * rounds of a batch of operations alternate between the open and the secure variant, and the median time per
 * operation over the rounds is reported for each.
 *
 * <ul>
 *   <li>announcement, open: the origin encodes its UPT line, a receiver decodes it;
 *   <li>announcement, secure: the origin encodes and signs (Ed25519), a receiver decodes the SUPT line and checks the
 *       signature against the origin's certificate (verified once, then cached, as a node does); with k = 3 and 8
 *       links; plus the first sight of a certificate (chain, expiry and revocation checked) on its own;
 *   <li>DATA, open: the source encodes the DATA line, the destination decodes it and encodes its DACK, the source
 *       decodes the DACK;
 *   <li>DATA, secure: the same plus seal (ChaCha20-Poly1305) at the source, open at the destination, the DACK's proof
 *       made and checked. Relays do the same work in both modes (they forward the line as it is).
 * </ul>
 */
public final class SecurityBench {
    public record Row(String what, double openMicros, double secureMicros) {
        double ratio() {
            return secureMicros / openMicros;
        }
    }

    static final NodeId A = new NodeId("10.0.0.1", 7000), B = new NodeId("10.0.0.2", 7000);

    private final int rounds;
    private final int batch;

    public SecurityBench(int rounds, int batch) {
        if (rounds < 1 || batch < 1) throw new IllegalArgumentException("rounds and batch must be at least 1");
        this.rounds = rounds;
        this.batch = batch;
    }

    public List<Row> run(PrintWriter progress) {
        Path dir;
        try {
            dir = Files.createTempDirectory("egoist-bench-ca-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Instant now = Instant.now();
            NetworkCa ca = NetworkCa.init(dir, now, 30);
            CaBundle bundle = new CaBundle(List.of(ca.certificate()));
            MemberIdentity a = member(ca, bundle, A, now), b = member(ca, bundle, B, now);
            CertificateMemberKeys keys = new CertificateMemberKeys(() -> bundle, () -> RevocationList.EMPTY);
            long nowMs = now.toEpochMilli();
            List<Row> rows = new ArrayList<>();
            for (int k : new int[] {3, 8}) {
                progress.println("announcements, k=" + k + " ...");
                progress.flush();
                rows.add(announcements(k, a, b, keys, nowMs));
            }
            progress.println("first sight of a certificate ...");
            progress.flush();
            rows.add(firstSight(a, b, keys, nowMs));
            for (int size : new int[] {100, 1_000, 11_000}) {
                progress.println("DATA, " + size + " bytes ...");
                progress.flush();
                rows.add(data(size, a, b));
            }
            return rows;
        } catch (CaException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static MemberIdentity member(NetworkCa ca, CaBundle bundle, NodeId id, Instant now) throws CaException {
        NetworkCa.Issued i = ca.issue(MemberId.of(id), now, 30);
        return MemberIdentity.of(id, new Credentials(i.key(), i.certificate(), MemberId.of(id), bundle));
    }

    private static List<Link> links(int k) {
        List<Link> l = new ArrayList<>();
        for (int i = 0; i < k; i++) l.add(new Link(A, new NodeId("10.0.1." + (i + 1), 7000), 35.2034912109 + i));
        return l;
    }

    private Row announcements(int k, MemberIdentity a, MemberIdentity b, CertificateMemberKeys keys, long nowMs) {
        List<Link> links = links(k);
        LinkStateSigning origin = new LinkStateSigning(a, keys), receiver = new LinkStateSigning(b, keys);
        int[] sink = {0};
        IntConsumer open = i -> {
            String line = WireCodec.encode(new Message.PeerUpdate("c0ffee", i % 5000, A, links));
            sink[0] += ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).hashCode();
        };
        IntConsumer secure = i -> {
            String line = origin.seal(WireCodec.encode(new Message.PeerUpdate("c0ffee", i % 5000, A, links)));
            Message.SignedUpdate u =
                    (Message.SignedUpdate) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
            if (!receiver.check(u, nowMs).ok()) throw new IllegalStateException("signature refused");
        };
        double[] m = sideBySide(open, secure);
        return new Row("announcement k=" + k + " (sign+verify)", m[0], m[1]);
    }

    private Row firstSight(MemberIdentity a, MemberIdentity b, CertificateMemberKeys keys, long nowMs) {
        List<Link> links = links(3);
        String line =
                new LinkStateSigning(a, keys).seal(WireCodec.encode(new Message.PeerUpdate("c0ffee", 1, A, links)));
        Message.SignedUpdate u =
                (Message.SignedUpdate) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
        LinkStateSigning receiver = new LinkStateSigning(b, keys);
        IntConsumer cached = i -> {
            if (!receiver.check(u, nowMs).ok()) throw new IllegalStateException("refused");
        };
        IntConsumer uncached = i -> {
            receiver.forgetCredentials();
            if (!receiver.check(u, nowMs).ok()) throw new IllegalStateException("refused");
        };
        double[] m = sideBySide(cached, uncached);
        return new Row("verify: cached certificate vs first sight", m[0], m[1]);
    }

    private Row data(int size, MemberIdentity a, MemberIdentity b) {
        SecureRandom random = new SecureRandom();
        DataBox boxA = new DataBox(A, a.agreement(), random), boxB = new DataBox(B, b.agreement(), random);
        boxA.learn(B, b.agreement().getPublic().getEncoded());
        boxB.learn(A, a.agreement().getPublic().getEncoded());
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        List<NodeId> path = List.of(A, new NodeId("10.0.0.3", 7000), B);
        IntConsumer open = i -> oneMessage(i, payload, path, null, null);
        IntConsumer secure = i -> oneMessage(i, payload, path, boxA, boxB);
        double[] m = sideBySide(open, secure);
        return new Row("DATA " + size + " B + DACK (seal/open/ack proof)", m[0], m[1]);
    }

    private static void oneMessage(int i, byte[] payload, List<NodeId> path, DataBox src, DataBox dst) {
        String msgId = "m" + i;
        byte[] body = src == null ? payload : src.seal(B, msgId, payload);
        String line = WireCodec.encode(new Message.Data(msgId, 32, A, B, List.of(A), body));
        Message.Data d = (Message.Data) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, line)).message();
        byte[] plain = dst == null ? d.payload() : dst.open(A, msgId, d.payload());
        if (plain == null || plain.length != payload.length) throw new IllegalStateException("not opened");
        byte[] proof = dst == null ? null : dst.ackProof(A, msgId);
        String ack = WireCodec.encode(new Message.DataAck(msgId, 32, B, A, path, proof));
        Message.DataAck back =
                (Message.DataAck) ((Decoded.Ok) WireCodec.decode(WireCodec.Context.PEER_LINK, ack)).message();
        if (src != null && !src.ackValid(B, msgId, back.auth())) throw new IllegalStateException("ack refused");
    }

    /** Median µs per operation of each variant; rounds alternate (after a warm-up of a quarter of the rounds). */
    private double[] sideBySide(IntConsumer first, IntConsumer second) {
        int warm = Math.max(1, rounds / 4);
        double[] f = new double[rounds], s = new double[rounds];
        int op = 0;
        for (int r = -warm; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) first.accept(op++);
            long t1 = System.nanoTime();
            for (int i = 0; i < batch; i++) second.accept(op++);
            long t2 = System.nanoTime();
            if (r >= 0) {
                f[r] = (t1 - t0) / 1e3 / batch;
                s[r] = (t2 - t1) / 1e3 / batch;
            }
        }
        return new double[] {TunnelCrashBench.median(f), TunnelCrashBench.median(s)};
    }

    public void printTable(PrintWriter out, List<Row> rows) {
        out.printf(Locale.ROOT, "%-46s %12s %12s %8s%n", "median per operation", "open us", "secure us", "ratio");
        for (Row r : rows)
            out.printf(
                    Locale.ROOT, "%-46s %12.1f %12.1f %8.1f%n", r.what(), r.openMicros(), r.secureMicros(), r.ratio());
        out.printf(
                Locale.ROOT,
                "(%d rounds of %d operations per variant, alternating; the 'open' column of the first-sight row is a"
                        + " cached check)%n",
                rounds,
                batch);
    }

    public String json(List<Row> rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rounds", rounds);
        m.put("batch", batch);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("what", r.what());
            x.put("open_us", r.openMicros());
            x.put("secure_us", r.secureMicros());
            x.put("ratio", r.ratio());
            rs.add(x);
        }
        m.put("rows", rs);
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
