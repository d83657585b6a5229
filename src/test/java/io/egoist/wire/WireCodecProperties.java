package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.wire.WireCodec.Context;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** decode(encode(m)) == m for every message type, and the decoder never throws whatever it is fed. */
class WireCodecProperties {

    // ---- generators ----

    static Arbitrary<NodeId> nodeIds() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        return Combinators.combine(
                        octet, octet, octet, octet, Arbitraries.integers().between(1, 65535))
                .as((a, b, c, d, port) -> new NodeId(a + "." + b + "." + c + "." + d, port));
    }

    /** Every non-negative finite double (all bit patterns, subnormals included) plus typical measured costs. */
    static Arbitrary<Double> costs() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, 0x7FEFFFFFFFFFFFFFL).map(Double::longBitsToDouble)),
                Tuple.of(3, Arbitraries.doubles().between(0, 2000)),
                Tuple.of(1, Arbitraries.integers().between(0, 1_000_000).map(Integer::doubleValue)),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                0.0,
                                Seed.BOOT_DELAY,
                                Seed.HUGE_DELAY,
                                1e-5,
                                Double.MIN_VALUE,
                                Double.MAX_VALUE,
                                35.2034912109,
                                0.1)));
    }

    static Arbitrary<List<Link>> linksFrom(NodeId src, int max) {
        return Combinators.combine(nodeIds(), costs())
                .as((dst, cost) -> new Link(src, dst, cost))
                .list()
                .ofMaxSize(max);
    }

    static Arbitrary<List<Link>> anyLinks(int max) {
        return Combinators.combine(nodeIds(), nodeIds(), costs())
                .as(Link::new)
                .list()
                .ofMaxSize(max);
    }

    static Arbitrary<String> hashes() {
        return Arbitraries.strings()
                .withChars("0123456789abcdefABCDEF")
                .ofMinLength(1)
                .ofMaxLength(128);
    }

    static Arbitrary<String> msgIds() {
        return Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('A', 'Z')
                .withCharRange('0', '9')
                .withChars("_-")
                .ofMinLength(1)
                .ofMaxLength(64);
    }

    static Arbitrary<Integer> ttls() {
        return Arbitraries.integers().between(0, 255);
    }

    static Arbitrary<String> nackReasons() {
        return Arbitraries.strings().ofMaxLength(60).filter(s -> s.indexOf('\r') < 0 && s.indexOf('\n') < 0);
    }

    @Provide
    static Arbitrary<Message> messages() {
        Arbitrary<Message> register = nodeIds().map(Message.Register::new);
        Arbitrary<Message> remove = nodeIds().map(Message.Remove::new);
        Arbitrary<Message> trackerUpdate =
                nodeIds().flatMap(src -> linksFrom(src, 6)).map(Message.TrackerUpdate::new);
        Arbitrary<Message> peerUpdate = nodeIds()
                .flatMap(src -> Combinators.combine(
                                hashes(), Arbitraries.integers().between(0, Seed.PKT_IDS_LIMIT - 1), linksFrom(src, 6))
                        .as((h, seq, links) -> new Message.PeerUpdate(h, seq, src, links)));
        Arbitrary<Message> reply = Combinators.combine(
                        nodeIds().list().ofMinSize(1).ofMaxSize(8), anyLinks(8))
                .as(Message.RegisterReply::new);
        Arbitrary<Message> over = Combinators.combine(
                        nodeIds().list().ofMinSize(1).ofMaxSize(8), Arbitraries.of(true, false))
                .as(Message.OverlaySegment::new);
        Arbitrary<Message> net =
                Combinators.combine(anyLinks(8), Arbitraries.of(true, false)).as(Message.NetSegment::new);
        Arbitrary<Message> nack = nackReasons().map(Message.Nack::new);
        Arbitrary<Message> hello = Combinators.combine(
                        nodeIds(),
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .withCharRange('0', '9')
                                .withChars("-")
                                .ofMinLength(1)
                                .ofMaxLength(8)
                                .list()
                                .ofMaxSize(4))
                .as(Message.Hello::new);
        Arbitrary<Message> hb = Arbitraries.longs().between(0, Long.MAX_VALUE).map(Message.Heartbeat::new);
        Arbitrary<Message> data = Combinators.combine(
                        msgIds(),
                        ttls(),
                        nodeIds(),
                        nodeIds(),
                        nodeIds().list().ofMaxSize(5),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as(Message.Data::new);
        Arbitrary<Message> dack = Combinators.combine(
                        msgIds(), ttls(), nodeIds(), nodeIds(), nodeIds().list().ofMaxSize(5))
                .as(Message.DataAck::new);
        Arbitrary<Message> teardown = Arbitraries.just(new Message.Teardown());
        return Arbitraries.oneOf(List.of(
                register, remove, trackerUpdate, peerUpdate, reply, over, net, nack, hello, hb, data, dack, teardown));
    }

    /** The contexts a message is received in. */
    static List<Context> contextsOf(Message m) {
        if (m instanceof Message.Register || m instanceof Message.Remove || m instanceof Message.TrackerUpdate) {
            return List.of(Context.TRACKER_INBOUND);
        }
        if (m instanceof Message.RegisterReply
                || m instanceof Message.OverlaySegment
                || m instanceof Message.NetSegment) {
            return List.of(Context.TRACKER_REPLY);
        }
        if (m instanceof Message.Nack) return List.of(Context.TRACKER_REPLY, Context.PEER_LINK);
        if (m instanceof Message.Hello) return List.of(Context.ECHO);
        return List.of(Context.PEER_LINK);
    }

    // ---- round trip ----

    @Property(tries = 1000)
    void decodeOfEncodeGivesTheMessageBack(@ForAll("messages") Message m) {
        String line = WireCodec.encode(m);
        assertThat(line).doesNotContain("\r", "\n");
        for (Context c : contextsOf(m)) {
            assertThat(WireCodec.decode(c, line)).as("%s in %s", line, c).isEqualTo(new Decoded.Ok(m));
        }
    }

    @Property(tries = 5000)
    void formatCostIsPlainAndParsesToTheSameDouble(@ForAll("allCosts") double cost) {
        String s = WireCodec.formatCost(cost);
        assertThat(s).matches("0|[1-9][0-9]*|(0|[1-9][0-9]*)\\.[0-9]*[1-9]");
        assertThat(Double.parseDouble(s)).isEqualTo(cost);
        assertThat(WireCodec.costProblem(s)).isNull();
    }

    /** Python may print a cost with an exponent ({@code 1e-05}, {@code 3.07e+18}); it decodes to the same value. */
    @Property(tries = 2000)
    void exponentFormCostsDecodeToTheSameDouble(@ForAll("allCosts") double cost) {
        String exp = Double.toString(cost).toLowerCase().replace("e", "e+").replace("e+-", "e-");
        String line = "UPT@10.0.0.1:7000@10.0.0.2:7000@" + exp + "|";
        Decoded d = WireCodec.decode(Context.TRACKER_INBOUND, line);
        assertThat(d).as(line).isInstanceOf(Decoded.Ok.class);
        assertThat(((Message.TrackerUpdate) ((Decoded.Ok) d).message())
                        .links()
                        .get(0)
                        .cost())
                .isEqualTo(cost);
    }

    @Provide
    static Arbitrary<Double> allCosts() {
        return costs();
    }

    // ---- the decoder never throws ----

    private static final List<String> TOKENS = List.of(
            "REG",
            "UPT",
            "RMV",
            "TRD",
            "NACK",
            "OVER",
            "NET",
            "SEG",
            "HELLO",
            "HB",
            "DATA",
            "DACK",
            "@",
            "@",
            "@",
            "|",
            "#",
            ":",
            ".",
            ",",
            "0",
            "1",
            "255",
            "256",
            "7000",
            "65536",
            "10.0.0.1:7000",
            "10.0.0.2:7000",
            "35.2",
            "1e-05",
            "-1",
            "NaN",
            "inf",
            "0x1p3",
            "1.0d",
            "ab12",
            "==",
            "+",
            "/",
            " ",
            "\t",
            "\u0000",
            "\u00e9",
            "\ud83d\ude00",
            "\ud800",
            "9999999999999999999999",
            "e",
            "E");

    @Provide
    static Arbitrary<String> junkLines() {
        Arbitrary<String> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(40).map(l -> String.join("", l));
        Arbitrary<String> chars = Arbitraries.strings()
                .withChars("@|#:.,0123456789SEGREGUPTNACKOVDHBLe-+=/ ")
                .ofMaxLength(120);
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(200);
        return Arbitraries.oneOf(tokens, chars, anything);
    }

    @Property(tries = 4000)
    void randomLinesNeverMakeTheDecoderThrow(@ForAll("junkLines") String line) {
        for (Context c : Context.values()) checkDecodes(c, line);
    }

    /** A valid line with 1-4 random edits: insert, delete, replace, duplicate an '@', truncate, swap. */
    @Provide
    static Arbitrary<String> mutatedLines() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.of(
                                "@", "|", "#", ":", ".", ",", "0", "9", "a", "-", "e", "SEG", " ", "\u00ff", "x"))
                .as(Mutation::new);
        return Combinators.combine(messages(), mutation.list().ofMinSize(1).ofMaxSize(4))
                .as((m, ms) -> {
                    StringBuilder sb = new StringBuilder(WireCodec.encode(m));
                    for (Mutation mu : ms) mu.apply(sb);
                    return sb.toString();
                });
    }

    record Mutation(int kind, int where, String text) {
        void apply(StringBuilder sb) {
            int n = sb.length();
            int at = n == 0 ? 0 : where % (n + 1);
            switch (kind) {
                case 0:
                    sb.insert(at, text);
                    break;
                case 1:
                    if (at < n) sb.deleteCharAt(at);
                    break;
                case 2:
                    if (at < n) sb.replace(at, at + 1, text);
                    break;
                case 3: {
                    int p = sb.indexOf("@", at);
                    if (p >= 0) sb.insert(p, '@');
                    break;
                }
                case 4:
                    sb.setLength(at);
                    break;
                default:
                    if (at + 1 < n) {
                        char c = sb.charAt(at);
                        sb.setCharAt(at, sb.charAt(at + 1));
                        sb.setCharAt(at + 1, c);
                    }
            }
        }
    }

    @Property(tries = 1500)
    void mutatedValidLinesNeverMakeTheDecoderThrow(@ForAll("mutatedLines") String line) {
        for (Context c : Context.values()) checkDecodes(c, line);
    }

    /** Decoding returns a result; an accepted line's message re-encodes to a line that decodes to it again. */
    private static void checkDecodes(Context c, String line) {
        Decoded d = WireCodec.decode(c, line);
        assertThat(d).isNotNull();
        if (d instanceof Decoded.Ok ok) {
            String again = WireCodec.encode(ok.message());
            assertThat(WireCodec.decode(c, again)).as("re-encoded %s", again).isEqualTo(d);
        } else {
            Decoded.Err e = (Decoded.Err) d;
            assertThat(e.field()).isNotBlank();
            assertThat(e.reason()).isNotBlank();
            assertThat(e.nackReason()).doesNotContain("@", "\r", "\n");
        }
    }
}
