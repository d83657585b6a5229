package io.egoist.security.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.security.sign.MemberIdentity;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DataBoxTest {
    static final NodeId A = NodeId.parse("10.0.0.1:7000"),
            B = NodeId.parse("10.0.0.2:7000"),
            R = NodeId.parse("10.0.0.3:7000");
    final MemberIdentity a = MemberIdentity.generate(A), b = MemberIdentity.generate(B), r = MemberIdentity.generate(R);
    final DataBox boxA = box(a), boxB = box(b), boxR = box(r);

    DataBox box(MemberIdentity self) {
        return new DataBox(self.id(), self.agreement(), new SecureRandom());
    }

    DataBoxTest() {
        for (DataBox x : new DataBox[] {boxA, boxB, boxR})
            for (MemberIdentity m : new MemberIdentity[] {a, b, r})
                x.learn(m.id(), m.agreement().getPublic().getEncoded());
    }

    static final byte[] TEXT = "meet at dawn".getBytes(StandardCharsets.UTF_8);

    @Test
    void onlyTheDestinationOpensWhatTheSourceSealed() {
        byte[] sealed = boxA.seal(B, "m1", TEXT);
        assertThat(sealed).hasSize(TEXT.length + DataBox.OVERHEAD);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("meet at dawn");
        assertThat(boxB.open(A, "m1", sealed)).isEqualTo(TEXT);
        assertThat(boxR.open(A, "m1", sealed))
                .as("a relay with every public key")
                .isNull();
        assertThat(boxR.open(B, "m1", sealed)).isNull();
        assertThat(boxA.open(B, "m1", sealed))
                .as("not reflected back to its source")
                .isNull();
    }

    @Test
    void aMessageIsBoundToItsSourceDestinationAndId() {
        byte[] sealed = boxA.seal(B, "m1", TEXT);
        assertThat(boxB.open(R, "m1", sealed)).as("claimed from another source").isNull();
        assertThat(boxB.open(A, "m2", sealed)).as("moved to another message id").isNull();
        byte[] fromR = boxR.seal(B, "m1", TEXT);
        assertThat(boxB.open(A, "m1", fromR)).as("R sealing as A").isNull();
        for (int i = 0; i < sealed.length; i++) {
            byte[] flipped = sealed.clone();
            flipped[i] ^= 1;
            assertThat(boxB.open(A, "m1", flipped)).as("bit flipped at %d", i).isNull();
        }
        assertThat(boxB.open(A, "m1", new byte[5])).isNull();
    }

    @Test
    void twoSealsOfOneMessageDiffer() {
        assertThat(boxA.seal(B, "m1", TEXT)).isNotEqualTo(boxA.seal(B, "m1", TEXT));
    }

    @Test
    void onlyTheDestinationCanAcknowledge() {
        byte[] proof = boxB.ackProof(A, "m1");
        assertThat(boxA.ackValid(B, "m1", proof)).isTrue();
        assertThat(boxA.ackValid(B, "m2", proof)).isFalse();
        assertThat(boxA.ackValid(R, "m1", proof)).isFalse();
        assertThat(boxA.ackValid(B, "m1", boxR.ackProof(A, "m1"))).isFalse();
        assertThat(boxA.ackValid(B, "m1", null)).isFalse();
        byte[] flipped = proof.clone();
        flipped[proof.length - 1] ^= 1;
        assertThat(boxA.ackValid(B, "m1", flipped)).isFalse();
    }

    @Test
    void withoutAKeyNothingIsSealedOrOpenedAndGarbageKeysAreNotLearned() {
        DataBox lonely = box(MemberIdentity.generate(NodeId.parse("10.0.0.4:7000")));
        assertThat(lonely.seal(A, "m1", TEXT)).isNull();
        assertThat(lonely.open(A, "m1", boxA.seal(B, "m1", TEXT))).isNull();
        assertThat(lonely.ackProof(A, "m1")).isNull();
        lonely.learn(A, new byte[] {1, 2, 3});
        lonely.learn(B, new byte[44]);
        assertThat(lonely.knows(A)).isFalse();
        assertThat(lonely.knows(B)).isFalse();
    }

    @Property(tries = 100)
    void everyPayloadRoundTrips(@ForAll @Size(max = 20_000) byte[] payload) {
        assertThat(boxB.open(A, "x", boxA.seal(B, "x", payload))).isEqualTo(payload);
    }
}
