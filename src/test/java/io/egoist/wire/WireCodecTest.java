package io.egoist.wire;

import static io.egoist.wire.WireCodec.Context.ECHO;
import static io.egoist.wire.WireCodec.Context.PEER_LINK;
import static io.egoist.wire.WireCodec.Context.TRACKER_INBOUND;
import static io.egoist.wire.WireCodec.Context.TRACKER_REPLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoist.wire.Message.Data;
import io.egoist.wire.Message.DataAck;
import io.egoist.wire.Message.Heartbeat;
import io.egoist.wire.Message.Hello;
import io.egoist.wire.Message.Nack;
import io.egoist.wire.Message.NetSegment;
import io.egoist.wire.Message.OverlaySegment;
import io.egoist.wire.Message.PeerUpdate;
import io.egoist.wire.Message.Register;
import io.egoist.wire.Message.RegisterReply;
import io.egoist.wire.Message.Remove;
import io.egoist.wire.Message.Teardown;
import io.egoist.wire.Message.TrackerUpdate;
import io.egoist.wire.WireCodec.Context;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WireCodecTest {

    static final NodeId A = NodeId.parse("10.0.0.1:7000");
    static final NodeId B = NodeId.parse("10.0.0.2:7000");
    static final NodeId C = NodeId.parse("192.168.1.254:65535");

    static Message ok(Context c, String line) {
        Decoded d = WireCodec.decode(c, line);
        assertThat(d).as("decode %s %s", c, line).isInstanceOf(Decoded.Ok.class);
        return ((Decoded.Ok) d).message();
    }

    static Decoded.Err err(Context c, String line) {
        Decoded d = WireCodec.decode(c, line);
        assertThat(d).as("decode %s %s", c, line).isInstanceOf(Decoded.Err.class);
        return (Decoded.Err) d;
    }

    static void errOn(Context c, String line, String field) {
        assertThat(err(c, line).field()).as("field for %s", line).isEqualTo(field);
    }

    /** Decodes, checks the message, and checks our encoder writes the very same line. */
    static void exact(Context c, String line, Message expected) {
        assertThat(ok(c, line)).isEqualTo(expected);
        assertThat(WireCodec.encode(expected)).isEqualTo(line);
    }

    @Nested
    class TrackerInbound {
        @Test
        void registerDecodesNodeId() {
            exact(TRACKER_INBOUND, "REG@10.0.0.1:7000", new Register(A));
        }

        @Test
        void removeDecodesNodeId() {
            exact(TRACKER_INBOUND, "RMV@192.168.1.254:65535", new Remove(C));
        }

        @Test
        void trackerUpdateWithSeveralLinksFromOneSource() {
            exact(
                    TRACKER_INBOUND,
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@35.2|@10.0.0.1:7000@192.168.1.254:65535@500|",
                    new TrackerUpdate(List.of(new Link(A, B, 35.2), new Link(A, C, 500))));
        }

        @Test
        void costsAsPythonPrintsThem() {
            TrackerUpdate u = (TrackerUpdate) ok(
                    TRACKER_INBOUND,
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@500.0|@10.0.0.1:7000@10.0.0.2:7000@35.2034912109|"
                            + "@10.0.0.1:7000@10.0.0.2:7000@1e-05|@10.0.0.1:7000@10.0.0.2:7000@3.07445734662e+18|"
                            + "@10.0.0.1:7000@10.0.0.2:7000@0|@10.0.0.1:7000@10.0.0.2:7000@2E3|");
            assertThat(u.links())
                    .extracting(Link::cost)
                    .containsExactly(500.0, 35.2034912109, 1e-05, 3.07445734662e+18, 0.0, 2000.0);
        }

        @Test
        void bareUptAndUptAtAreUpdatesWithoutLinks() {
            assertThat(ok(TRACKER_INBOUND, "UPT")).isEqualTo(new TrackerUpdate(List.of()));
            assertThat(ok(TRACKER_INBOUND, "UPT@")).isEqualTo(new TrackerUpdate(List.of()));
            assertThat(WireCodec.encode(new TrackerUpdate(List.of()))).isEqualTo("UPT");
        }

        @Test
        void trackerUpdateWithLinksFromTwoSourcesIsRejected() {
            Decoded.Err e = err(TRACKER_INBOUND, "UPT@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.2:7000@10.0.0.1:7000@1|");
            assertThat(e.field()).isEqualTo("link[1].src");
            assertThat(e.reason()).contains("10.0.0.2:7000");
        }

        @Test
        void emptyLineIsAnError() {
            assertThat(err(TRACKER_INBOUND, "")).isEqualTo(new Decoded.Err("line", "empty"));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "NACK@x",
                    "HELLO",
                    "hello@1.2.3.4:5",
                    "just some text",
                    "TRD@",
                    "HB@1",
                    "OVER@10.0.0.1:7000",
                    "NET",
                    "DATA@a@1@10.0.0.1:7000@10.0.0.2:7000@@",
                    "REGX@10.0.0.1:7000",
                    "REG1@10.0.0.1:7000",
                    "@10.0.0.1:7000",
                    "REG 10.0.0.1:7000",
                    "REG#"
                })
        void unknownOrMisplacedTypesAreTypeErrors(String line) {
            errOn(TRACKER_INBOUND, line, "type");
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "REG;node",
                    "REG@;node",
                    "RMV@;node",
                    "REG@10.0.0.1;node",
                    "REG@10.0.0.1:0;node",
                    "REG@10.0.0.1:65536;node",
                    "REG@10.0.0.256:7000;node",
                    "REG@10.0.0:7000;node",
                    "REG@10.0.0.1.5:7000;node",
                    "REG@010.0.0.1:7000;node",
                    "REG@10.0.0.1:07000;node",
                    "REG@10.0.0.1:-1;node",
                    "REG@10.0.0.1:+80;node",
                    "REG@ 10.0.0.1:7000;node",
                    "'REG@10.0.0.1:7000 ';node",
                    "REG@a.b.c.d:7000;node",
                    "REG@10.0.0.1:7000@x;line",
                    "RMV@10.0.0.1:7000@;line",
                    "REG@host:7000;node",
                    "REG@[::1]:7000;node"
                })
        void malformedNodeIdsAreRejected(String line, String field) {
            errOn(TRACKER_INBOUND, line, field);
        }

        @Test
        void nodeIdErrorsSayWhy() {
            assertThat(err(TRACKER_INBOUND, "REG@10.0.0.1:0").reason()).contains("port out of range");
            assertThat(err(TRACKER_INBOUND, "REG@10.0.0.1:65536").reason()).contains("port out of range");
            assertThat(err(TRACKER_INBOUND, "REG@10.0.0.300:1").reason()).contains("octet out of range");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "-1",
                    "-0.5",
                    "NaN",
                    "nan",
                    "inf",
                    "Infinity",
                    "-inf",
                    "0x1p3",
                    "0x10",
                    "1.0d",
                    "1.0f",
                    "1.5D",
                    "1e",
                    "1e+",
                    ".5",
                    "5.",
                    "+5",
                    "1,5",
                    "1 ",
                    " 1",
                    "",
                    "1e400",
                    "1.0.0",
                    "١",
                    "1_000",
                    "abc"
                })
        void badCostsAreRejectedWithTheCostField(String cost) {
            Decoded.Err e = err(
                    TRACKER_INBOUND, "UPT@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.1:7000@10.0.0.2:7000@" + cost + "|");
            assertThat(e.field()).isEqualTo("link[1].cost");
        }

        @Test
        void costErrorsSayWhy() {
            assertThat(WireCodec.costProblem("-1")).contains("negative");
            assertThat(WireCodec.costProblem("NaN")).contains("not a number");
            assertThat(WireCodec.costProblem("inf")).contains("infinite");
            assertThat(WireCodec.costProblem("Infinity")).contains("infinite");
            assertThat(WireCodec.costProblem("0x1p3")).contains("hex");
            assertThat(WireCodec.costProblem("1e400")).contains("infinity");
            assertThat(WireCodec.costProblem("1.0d")).contains("not a plain decimal");
            assertThat(WireCodec.costProblem("35.2")).isNull();
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1;link[0]", // missing '|'
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.1:7000@10.0.0.2:7000@1;link[1]",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1@10.0.0.1:7000@10.0.0.2:7000@1|;link[0]",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1@x|;link[0]", // extra field
                    "UPT@10.0.0.1:7000@10.0.0.2:7000|;link[0]", // missing cost
                    "UPT@10.0.0.1:7000|;link[0]",
                    "UPT@|;link[0]",
                    "UPT@@;link[0]",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1|garbage;link[1]", // trailing garbage
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1||;link[1]",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1|@;link[1]",
                    "UPT@10.0.0.1@10.0.0.2:7000@1|;link[0].src",
                    "UPT@10.0.0.1:7000@10.0.0.2:99999@1|;link[0].dst",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@|;link[0].cost",
                    "UPT@hash@12@10.0.0.1:7000@10.0.0.2:7000@1|;link[0]"
                }) // peer form sent to the tracker
        void malformedLinksAreRejected(String line, String field) {
            errOn(TRACKER_INBOUND, line, field);
        }
    }

    @Nested
    class TrackerReply {
        @Test
        void oneLineReplyFromTheReference() {
            exact(
                    TRACKER_REPLY,
                    "REG@10.0.0.1:7000@10.0.0.2:7000#@10.0.0.2:7000@10.0.0.1:7000@35.2|",
                    new RegisterReply(List.of(A, B), List.of(new Link(B, A, 35.2))));
        }

        @Test
        void replyWithoutLinks() {
            exact(TRACKER_REPLY, "REG@10.0.0.1:7000#", new RegisterReply(List.of(A), List.of()));
        }

        @Test
        void replyLinksMayComeFromManySources() {
            RegisterReply r = (RegisterReply)
                    ok(
                            TRACKER_REPLY,
                            "REG@10.0.0.1:7000@10.0.0.2:7000#@10.0.0.2:7000@10.0.0.1:7000@35.2|@10.0.0.1:7000@10.0.0.2:7000@500|");
            assertThat(r.links()).hasSize(2);
        }

        @Test
        void emptyReplyIsReportedAsSuch() {
            assertThat(err(TRACKER_REPLY, "")).isEqualTo(new Decoded.Err("line", "empty reply"));
        }

        @Test
        void overlaySegmentsWithAndWithoutSeg() {
            exact(
                    TRACKER_REPLY,
                    "OVER@10.0.0.1:1@10.0.0.2:2SEG",
                    new OverlaySegment(List.of(NodeId.parse("10.0.0.1:1"), NodeId.parse("10.0.0.2:2")), true));
            exact(TRACKER_REPLY, "OVER@10.0.0.1:7000", new OverlaySegment(List.of(A), false));
        }

        @Test
        void netSegmentsWithAndWithoutSegAndBare() {
            exact(
                    TRACKER_REPLY,
                    "NET@10.0.0.1:7000@10.0.0.2:7000@35.2|SEG",
                    new NetSegment(List.of(new Link(A, B, 35.2)), true));
            exact(
                    TRACKER_REPLY,
                    "NET@10.0.0.1:7000@10.0.0.2:7000@35.2|@10.0.0.2:7000@10.0.0.1:7000@1|",
                    new NetSegment(List.of(new Link(A, B, 35.2), new Link(B, A, 1)), false));
            exact(TRACKER_REPLY, "NET", new NetSegment(List.of(), false));
        }

        @Test
        void nackCarriesItsReason() {
            exact(TRACKER_REPLY, "NACK@node: port out of range: 0", new Nack("node: port out of range: 0"));
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "REG@10.0.0.1:7000;nodes", // no '#'
                    "REG#;nodes", // no nodes
                    "REG@#;node[0]",
                    "REG@10.0.0.1:7000@#;node[1]",
                    "REG@10.0.0.1:7000#@10.0.0.1:7000@10.0.0.2:7000@1;link[0]",
                    "REG@10.0.0.1:7000#garbage;link[0]",
                    "REG@10.0.0.1:7000#@10.0.0.1:7000@10.0.0.2:7000@-3|;link[0].cost",
                    "OVER;nodes",
                    "OVERSEG;nodes",
                    "OVER@;node[0]",
                    "OVER@10.0.0.1:7000@SEG;node[1]",
                    "OVER@10.0.0.1:7000SEGSEG;node[0]",
                    "NET@10.0.0.1:7000@10.0.0.2:7000@1SEG;link[0]",
                    "NET@;link[0]",
                    "NET@10.0.0.1:7000@10.0.0.2:7000@1|SE;link[1]",
                    "NACK;reason",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1|;type",
                    "RMV@10.0.0.1:7000;type",
                    "HELLO@10.0.0.1:7000@hb;type",
                    "OVERX@10.0.0.1:7000;type",
                    "NETSEG@;type"
                })
        void malformedRepliesAreRejected(String line, String field) {
            errOn(TRACKER_REPLY, line, field);
        }
    }

    @Nested
    class PeerLink {
        static final String HASH = "3f786850e387550fdab836ed7e6dc881de23001b";

        @Test
        void peerUpdateSourceIsFieldThree() {
            exact(
                    PEER_LINK,
                    "UPT@" + HASH + "@42@10.0.0.1:7000@10.0.0.2:7000@35.2|@10.0.0.1:7000@192.168.1.254:65535@500|",
                    new PeerUpdate(HASH, 42, A, List.of(new Link(A, B, 35.2), new Link(A, C, 500))));
        }

        @Test
        void peerUpdateWithoutLinksNamesItsSource() {
            exact(PEER_LINK, "UPT@" + HASH + "@0@10.0.0.1:7000", new PeerUpdate(HASH, 0, A, List.of()));
        }

        @Test
        void highestSeqIsAccepted() {
            assertThat(((PeerUpdate) ok(PEER_LINK, "UPT@ab@4999@10.0.0.1:7000")).seq())
                    .isEqualTo(4999);
        }

        @Test
        void peerUpdateWithForeignLinkIsRejected() {
            Decoded.Err e = err(PEER_LINK, "UPT@ab@1@10.0.0.1:7000@10.0.0.2:7000@1|@10.0.0.2:7000@10.0.0.1:7000@1|");
            assertThat(e.field()).isEqualTo("link[1].src");
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "UPT;hash",
                    "UPT@;hash",
                    "UPT@xyz@1@10.0.0.1:7000;hash",
                    "UPT@@1@10.0.0.1:7000;hash",
                    "UPT@ab;seq",
                    "UPT@ab@;seq",
                    "UPT@ab@5000@10.0.0.1:7000;seq",
                    "UPT@ab@-1@10.0.0.1:7000;seq",
                    "UPT@ab@01@10.0.0.1:7000;seq",
                    "UPT@ab@1.0@10.0.0.1:7000;seq",
                    "UPT@ab@99999999999999999999@10.0.0.1:7000;seq",
                    "UPT@ab@1;source",
                    "UPT@ab@1@;source",
                    "UPT@ab@1@10.0.0.1;source",
                    "UPT@ab@1@10.0.0.1:7000@;link[0]",
                    "UPT@ab@1@10.0.0.1:7000@10.0.0.2:7000@1;link[0]",
                    "UPT@ab@1@10.0.0.1:7000@10.0.0.2:7000@1|x;link[1]",
                    "UPT@10.0.0.1:7000@10.0.0.2:7000@1|;hash", // tracker form on a peer link
                    "TRD@x;line",
                    "TRD@@;line",
                    "HB;seq",
                    "HB@;seq",
                    "HB@-1;seq",
                    "HB@x;seq",
                    "HB@1@2;seq",
                    "HB@9223372036854775808;seq",
                    "REG@10.0.0.1:7000;type",
                    "RMV@10.0.0.1:7000;type",
                    "HELLO@10.0.0.1:7000@hb;type",
                    "OVER@10.0.0.1:7000;type",
                    "garbage;type",
                    ";line"
                })
        void malformedPeerLinesAreRejected(String line, String field) {
            errOn(PEER_LINK, line == null ? "" : line, field);
        }

        @Test
        void teardownWithAndWithoutAt() {
            exact(PEER_LINK, "TRD@", new Teardown());
            assertThat(ok(PEER_LINK, "TRD")).isEqualTo(new Teardown());
        }

        @Test
        void heartbeat() {
            exact(PEER_LINK, "HB@0", new Heartbeat(0));
            exact(PEER_LINK, "HB@9223372036854775807", new Heartbeat(Long.MAX_VALUE));
        }

        @Test
        void dataWithPathAndPayload() {
            byte[] payload = "hello, overlay".getBytes(StandardCharsets.UTF_8);
            exact(
                    PEER_LINK,
                    "DATA@m-1_x@31@10.0.0.1:7000@192.168.1.254:65535@10.0.0.1:7000,10.0.0.2:7000@aGVsbG8sIG92ZXJsYXk=",
                    new Data("m-1_x", 31, A, C, List.of(A, B), payload));
        }

        @Test
        void dataWithEmptyPayloadAndPath() {
            exact(PEER_LINK, "DATA@m@0@10.0.0.1:7000@10.0.0.2:7000@@", new Data("m", 0, A, B, List.of(), new byte[0]));
        }

        @Test
        void dataAck() {
            exact(
                    PEER_LINK,
                    "DACK@m1@32@192.168.1.254:65535@10.0.0.1:7000@10.0.0.1:7000,10.0.0.2:7000,192.168.1.254:65535",
                    new DataAck("m1", 32, C, A, List.of(A, B, C)));
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "DATA;msgId",
                    "DATA@;msgId",
                    "DATA@m;ttl",
                    "DATA@m@1;src",
                    "DATA@m@1@10.0.0.1:7000;dst",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000;path",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@10.0.0.1:7000;payload",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@@AAAA@x;line",
                    "DATA@m!@1@10.0.0.1:7000@10.0.0.2:7000@@;msgId",
                    "DATA@m@256@10.0.0.1:7000@10.0.0.2:7000@@;ttl",
                    "DATA@m@-1@10.0.0.1:7000@10.0.0.2:7000@@;ttl",
                    "DATA@m@1@10.0.0.1@10.0.0.2:7000@@;src",
                    "DATA@m@1@10.0.0.1:7000@x@@;dst",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@10.0.0.1:7000,@;path[1]",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@,@;path[0]",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@@AAA;payload",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@@A===;payload",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@@AA-_;payload",
                    "DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@@QR==;payload",
                    "'DATA@m@1@10.0.0.1:7000@10.0.0.2:7000@@QUJD ';payload",
                    "DACK@m@1@10.0.0.1:7000@10.0.0.2:7000;path",
                    "DACK@m@1@10.0.0.1:7000@10.0.0.2:7000@@x;auth",
                    "DACK@m@1@10.0.0.1:7000@10.0.0.2:7000@@AQID@x;line"
                })
        void malformedDataIsRejected(String line, String field) {
            errOn(PEER_LINK, line, field);
        }

        @Test
        void msgIdLengthIsBounded() {
            String id64 = "a".repeat(64);
            assertThat(ok(PEER_LINK, "DACK@" + id64 + "@1@10.0.0.1:7000@10.0.0.2:7000@"))
                    .isInstanceOf(DataAck.class);
            errOn(PEER_LINK, "DACK@" + id64 + "a@1@10.0.0.1:7000@10.0.0.2:7000@", "msgId");
        }

        @Test
        void hashLengthIsBounded() {
            assertThat(ok(PEER_LINK, "UPT@" + "f".repeat(128) + "@1@10.0.0.1:7000"))
                    .isInstanceOf(PeerUpdate.class);
            errOn(PEER_LINK, "UPT@" + "f".repeat(129) + "@1@10.0.0.1:7000", "hash");
        }

        @Test
        void nackOnPeerLink() {
            exact(PEER_LINK, "NACK@bad cost", new Nack("bad cost"));
        }
    }

    @Nested
    class Echo {
        @Test
        void helloWithFeatures() {
            exact(ECHO, "HELLO@10.0.0.1:7000@hb,data", new Hello(A, List.of("hb", "data")));
        }

        @Test
        void helloWithoutFeatures() {
            exact(ECHO, "HELLO@10.0.0.1:7000@", new Hello(A, List.of()));
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "HELLO;node",
                    "HELLO@10.0.0.1:7000;features",
                    "HELLO@10.0.0.1:7000@hb@x;line",
                    "HELLO@10.0.0.1:7000@HB;features[0]",
                    "HELLO@10.0.0.1:7000@hb,;features[1]",
                    "HELLO@10.0.0.1:7000@hb data;features[0]",
                    "HELLO@1.2.3:7000@hb;node",
                    "ping 12345;type",
                    "1694000000.123;type",
                    "UPT@ab@1@10.0.0.1:7000;type"
                })
        void anythingButAValidHelloIsAnError(String line, String field) {
            errOn(ECHO, line, field);
        }
    }

    @Nested
    class Robustness {
        @Test
        void nullsAreErrorsNotExceptions() {
            assertThat(WireCodec.decode(null, "REG@10.0.0.1:7000")).isInstanceOf(Decoded.Err.class);
            assertThat(WireCodec.decode(PEER_LINK, null)).isInstanceOf(Decoded.Err.class);
        }

        @Test
        void hugeExponentIsRejectedNotThrown() {
            errOn(TRACKER_INBOUND, "UPT@10.0.0.1:7000@10.0.0.2:7000@1e99999999999999999999999|", "link[0].cost");
            assertThat(((TrackerUpdate) ok(TRACKER_INBOUND, "UPT@10.0.0.1:7000@10.0.0.2:7000@1e-99999999999999999999|"))
                            .links()
                            .get(0)
                            .cost())
                    .isEqualTo(0.0);
        }

        @Test
        void nackReasonOfAnErrorFitsOnOneLineWithoutDelimiters() {
            Decoded.Err e = err(TRACKER_INBOUND, "REG@1.2.3.4:5@\r\n@x");
            assertThat(e.nackReason()).doesNotContain("@", "\r", "\n");
        }
    }

    @Nested
    class Encoding {
        @ParameterizedTest
        @CsvSource(
                delimiter = ';',
                value = {
                    "0;0",
                    "500;500",
                    "35.2;35.2",
                    "35.2034912109;35.2034912109",
                    "1e-05;0.00001",
                    "2e-3;0.002",
                    "1.5e20;150000000000000000000",
                    "0.1;0.1",
                    "123456.789;123456.789",
                    "1e7;10000000",
                    "12345678.9;12345678.9"
                })
        void formatCostWritesPlainDecimals(double value, String text) {
            assertThat(WireCodec.formatCost(value)).isEqualTo(text);
            assertThat(Double.parseDouble(text)).isEqualTo(value);
        }

        @Test
        void formatCostOfTheSmallestDoubleIsPlain() {
            assertThat(WireCodec.formatCost(Double.MIN_VALUE)).isEqualTo("0." + "0".repeat(323) + "49");
        }

        @Test
        void formatCostRoundTripsExtremes() {
            for (double d : new double[] {
                Double.MAX_VALUE,
                Double.MIN_NORMAL,
                Seed.HUGE_DELAY,
                0x1p53,
                0x1p53 + 2,
                1.0000000000000002,
                0.30000000000000004,
                1e23,
                9007199254740993.0
            }) {
                String s = WireCodec.formatCost(d);
                assertThat(s).doesNotContain("E", "e").matches("[0-9]+(\\.[0-9]*[1-9])?");
                assertThat(Double.parseDouble(s)).isEqualTo(d);
                assertThat(WireCodec.costProblem(s)).isNull();
            }
        }

        @Test
        void formatCostRejectsWhatALinkCannotCarry() {
            assertThatThrownBy(() -> WireCodec.formatCost(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WireCodec.formatCost(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WireCodec.formatCost(Double.POSITIVE_INFINITY))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void negativeZeroCostIsZero() {
            assertThat(new Link(A, B, -0.0)).isEqualTo(new Link(A, B, 0.0));
            assertThat(WireCodec.encode(new TrackerUpdate(List.of(new Link(A, B, -0.0)))))
                    .isEqualTo("UPT@10.0.0.1:7000@10.0.0.2:7000@0|");
        }

        @Test
        void encoderRefusesMessagesWithoutAValidLine() {
            List<Message> bad = List.of(
                    new TrackerUpdate(List.of(new Link(A, B, 1), new Link(B, A, 1))),
                    new PeerUpdate("ab", 1, A, List.of(new Link(B, A, 1))),
                    new PeerUpdate("xyz", 1, A, List.of()),
                    new PeerUpdate("ab", 5000, A, List.of()),
                    new PeerUpdate("ab", -1, A, List.of()),
                    new RegisterReply(List.of(), List.of()),
                    new OverlaySegment(List.of(), false),
                    new Nack("two\nlines"),
                    new Hello(A, List.of("Bad")),
                    new Hello(A, List.of("a,b")),
                    new Heartbeat(-1),
                    new Data("bad id", 1, A, B, List.of(), new byte[0]),
                    new Data("m", 256, A, B, List.of(), new byte[0]),
                    new DataAck("m", -1, A, B, List.of()));
            for (Message m : bad) {
                assertThatThrownBy(() -> WireCodec.encode(m)).as("%s", m).isInstanceOf(IllegalArgumentException.class);
            }
        }

        @Test
        void teardownAndNackLines() {
            assertThat(WireCodec.encode(new Teardown())).isEqualTo("TRD@");
            assertThat(WireCodec.encode(new Nack("unknown type"))).isEqualTo("NACK@unknown type");
        }
    }
}
