package io.egoist.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SignedUpdateCodecTest {
    static final NodeId A = NodeId.parse("10.0.0.1:7000"), B = NodeId.parse("10.0.0.2:7000");
    static final byte[] CRED = {1, 2, 3, 4, 5}, KEY = {9, 8, 7}, SIG = new byte[64];

    static Decoded decode(String line) {
        return WireCodec.decode(WireCodec.Context.PEER_LINK, line);
    }

    @Test
    void theSignatureFieldGoesAfterTheSourceAndCuttingItOutGivesTheSignedLineBack() {
        String unsigned = "UPT@ab12@17@10.0.0.1:7000@10.0.0.2:7000@35.2034912109|";
        String line = SignedUpdateCodec.encode(unsigned, CRED, KEY, SIG);
        assertThat(line)
                .startsWith("SUPT@ab12@17@10.0.0.1:7000@AQIDBAU=.CQgH.")
                .endsWith("@10.0.0.2:7000@35.2034912109|");
        Message.SignedUpdate s = (Message.SignedUpdate) ((Decoded.Ok) decode(line)).message();
        assertThat(s.unsignedLine()).isEqualTo(unsigned);
        assertThat(s.update()).isEqualTo(new Message.PeerUpdate("ab12", 17, A, List.of(new Link(A, B, 35.2034912109))));
        assertThat(s.credential()).containsExactly(CRED);
        assertThat(s.e2eKey()).containsExactly(KEY);
        assertThat(WireCodec.encode(s)).isEqualTo(line);
    }

    @Test
    void anUpdateWithoutLinksAndAnEmptyKeyRoundTrip() {
        String unsigned = "UPT@ff@0@10.0.0.1:7000";
        String line = SignedUpdateCodec.encode(unsigned, CRED, new byte[0], SIG);
        Message.SignedUpdate s = (Message.SignedUpdate) ((Decoded.Ok) decode(line)).message();
        assertThat(s.unsignedLine()).isEqualTo(unsigned);
        assertThat(s.update().links()).isEmpty();
        assertThat(s.e2eKey()).isEmpty();
    }

    @Test
    void malformedSignedUpdatesAreErrorsNeverExceptions() {
        String good = SignedUpdateCodec.encode("UPT@ab@1@10.0.0.1:7000@10.0.0.2:7000@5|", CRED, KEY, SIG);
        String block = good.split("@")[4];
        for (String bad : List.of(
                "SUPT",
                "SUPT@ab@1@10.0.0.1:7000",
                "SUPT@ab@1@10.0.0.1:7000@AQID",
                "SUPT@ab@1@10.0.0.1:7000@AQID.CQgH",
                "SUPT@ab@1@10.0.0.1:7000@AQID.CQgH.AAAA",
                "SUPT@ab@1@10.0.0.1:7000@.CQgH." + block.split("\\.")[2],
                "SUPT@ab@1@10.0.0.1:7000@AQI*.CQgH." + block.split("\\.")[2],
                "SUPT@ab@1@10.0.0.1:7000@" + block + "@10.0.0.3:7000@10.0.0.2:7000@5|",
                "SUPT@zz@1@10.0.0.1:7000@" + block,
                "SUPT@ab@9999@10.0.0.1:7000@" + block)) {
            assertThat(decode(bad)).as(bad).isInstanceOf(Decoded.Err.class);
        }
        assertThatThrownBy(() -> SignedUpdateCodec.encode("UPT@ab@1@10.0.0.1:7000", CRED, KEY, new byte[63]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedUpdateCodec.encode("HB@1", CRED, KEY, SIG))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDataAckMayCarryAnAuthFieldAndWithoutOneIsTheSameLineAsBefore() {
        Message.DataAck plain = new Message.DataAck("m1", 3, B, A, List.of(A, B));
        assertThat(WireCodec.encode(plain))
                .isEqualTo("DACK@m1@3@10.0.0.2:7000@10.0.0.1:7000@10.0.0.1:7000,10.0.0.2:7000");
        Message.DataAck signed = new Message.DataAck("m1", 3, B, A, List.of(A, B), new byte[] {1, 2, 3});
        String line = WireCodec.encode(signed);
        assertThat(line).endsWith("@AQID");
        assertThat(((Decoded.Ok) decode(line)).message()).isEqualTo(signed);
        assertThat(((Decoded.Ok) decode(WireCodec.encode(plain))).message()).isEqualTo(plain);
        assertThat(decode(line + "@x")).isInstanceOf(Decoded.Err.class);
        assertThat(decode("DACK@m1@3@10.0.0.2:7000@10.0.0.1:7000@@")).isInstanceOf(Decoded.Err.class);
        assertThat(decode("DACK@m1@3@10.0.0.2:7000@10.0.0.1:7000@@A*==")).isInstanceOf(Decoded.Err.class);
    }

    @Property(tries = 200)
    void theSignedLineComesBackByteForByte(
            @ForAll @IntRange(min = 0, max = 4999) int seq,
            @ForAll @DoubleRange(min = 0, max = 1e6) double cost,
            @ForAll @IntRange(min = 0, max = 3) int links,
            @ForAll byte[] credential) {
        if (credential.length == 0 || credential.length > SignedUpdateCodec.MAX_CREDENTIAL_BYTES) return;
        List<Link> ls = new java.util.ArrayList<>();
        for (int i = 0; i < links; i++) ls.add(new Link(A, new NodeId("10.0.1." + (i + 1), 7000), cost + i));
        String unsigned = WireCodec.encode(new Message.PeerUpdate("c0ffee", seq, A, ls));
        byte[] sig = Arrays.copyOf(credential, 64);
        String line = SignedUpdateCodec.encode(unsigned, credential, KEY, sig);
        Message.SignedUpdate s = (Message.SignedUpdate) ((Decoded.Ok) decode(line)).message();
        assertThat(s.unsignedLine()).isEqualTo(unsigned);
        assertThat(s.credential()).isEqualTo(credential);
        assertThat(s.signature()).isEqualTo(sig);
        assertThat(s.update()).isEqualTo(((Decoded.Ok) decode(unsigned)).message());
    }
}
