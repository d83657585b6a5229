package io.egoist.security.sign;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.node.linkstate.UpdateSeal;
import io.egoist.wire.Decoded;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.SignedUpdateCodec;
import io.egoist.wire.WireCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure signing component: what is accepted, what is refused and why. */
class LinkStateSigningTest {
    static final NodeId A = NodeId.parse("10.0.0.1:7000"),
            B = NodeId.parse("10.0.0.2:7000"),
            C = NodeId.parse("10.0.0.3:7000");
    final MemberIdentity a = MemberIdentity.generate(A), b = MemberIdentity.generate(B), m = MemberIdentity.generate(C);
    final PinnedMemberKeys keys = new PinnedMemberKeys().pin(a).pin(b).pin(m);
    final LinkStateSigning signerA = new LinkStateSigning(a, keys), receiver = new LinkStateSigning(b, keys);
    final String unsigned = WireCodec.encode(
            new Message.PeerUpdate("a1b2", 42, A, List.of(new Link(A, B, 35.25), new Link(A, C, 120.5))));

    static Message.SignedUpdate decode(String line) {
        Decoded d = WireCodec.decode(WireCodec.Context.PEER_LINK, line);
        assertThat(d).as(line).isInstanceOf(Decoded.Ok.class);
        return (Message.SignedUpdate) ((Decoded.Ok) d).message();
    }

    @Test
    void anAnnouncementSignedByItsOriginIsValidAndCarriesItsEndToEndKey() {
        Message.SignedUpdate s = decode(signerA.seal(unsigned));
        UpdateSeal.Check c = receiver.check(s, 0);
        assertThat(c.ok()).isTrue();
        assertThat(c.e2eKey()).isEqualTo(a.agreement().getPublic().getEncoded());
        assertThat(s.credential()).isEqualTo(a.credential());
    }

    @Test
    void changingAnyOneCharacterOfTheSignedPartIsRefusedOrDoesNotParse() {
        String line = signerA.seal(unsigned);
        int changed = 0;
        for (int i = 5; i < line.length(); i++) {
            char ch = line.charAt(i);
            char other = Character.isDigit(ch) ? (char) ('0' + (ch - '0' + 1) % 10) : ch == 'a' ? 'b' : ch;
            if (other == ch) continue;
            String altered = line.substring(0, i) + other + line.substring(i + 1);
            Decoded d = WireCodec.decode(WireCodec.Context.PEER_LINK, altered);
            if (d instanceof Decoded.Ok ok) {
                assertThat(receiver.check((Message.SignedUpdate) ok.message(), 0)
                                .ok())
                        .as("altered at %d: %s", i, altered)
                        .isFalse();
                changed++;
            }
        }
        assertThat(changed).isGreaterThan(20);
    }

    @Test
    void aMemberCannotSignForAnotherMembersId() {
        // M signs A's links with its own key and its own credential
        Message.SignedUpdate own = decode(new LinkStateSigning(m, keys).seal(unsigned));
        assertThat(receiver.check(own, 0).reason()).contains("credential").contains("not the key pinned for " + A);
        // M signs with its own key but presents A's credential
        Message.SignedUpdate borrowed =
                decode(SignedUpdateCodec.encode(unsigned, a.credential(), own.e2eKey(), own.signature()));
        assertThat(receiver.check(borrowed, 0).reason()).isEqualTo("bad signature");
    }

    @Test
    void aSwappedEndToEndKeyIsRefused() {
        Message.SignedUpdate s = decode(signerA.seal(unsigned));
        Message.SignedUpdate swapped = decode(SignedUpdateCodec.encode(
                unsigned, s.credential(), m.agreement().getPublic().getEncoded(), s.signature()));
        assertThat(receiver.check(swapped, 0).ok()).isFalse();
    }

    @Test
    void aStrangerIsRefusedAndAnUnpinnedMemberTooOnceItsCredentialIsForgotten() {
        MemberIdentity stranger = MemberIdentity.generate(NodeId.parse("10.0.0.9:7000"));
        String strangerLine = WireCodec.encode(new Message.PeerUpdate("ee", 1, stranger.id(), List.of()));
        Message.SignedUpdate s = decode(new LinkStateSigning(stranger, keys).seal(strangerLine));
        assertThat(receiver.check(s, 0).reason()).contains("no key pinned");

        Message.SignedUpdate fromA = decode(signerA.seal(unsigned));
        assertThat(receiver.check(fromA, 0).ok()).isTrue();
        keys.unpin(A);
        assertThat(receiver.check(fromA, 0).ok())
                .as("cached until the credentials are forgotten")
                .isTrue();
        receiver.forgetCredentials();
        assertThat(receiver.check(fromA, 0).ok()).isFalse();
    }

    @Test
    void openModeSignsNothingAndRefusesSignedUpdates() {
        assertThat(UpdateSeal.OPEN.seal(unsigned)).isEqualTo(unsigned);
        assertThat(UpdateSeal.OPEN.check(decode(signerA.seal(unsigned)), 0).ok())
                .isFalse();
    }
}
