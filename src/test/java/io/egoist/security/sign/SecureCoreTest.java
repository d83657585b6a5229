package io.egoist.security.sign;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.node.NodeConfig;
import io.egoist.node.NodeCore;
import io.egoist.wire.Link;
import io.egoist.wire.Message;
import io.egoist.wire.NodeId;
import io.egoist.wire.WireCodec;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A secure node core fed by hand: what it does with signed updates, and a reload of the members' credentials. */
class SecureCoreTest {
    static final NodeId SELF = NodeId.parse("10.0.0.5:7000"), A = NodeId.parse("10.0.0.1:7000");

    final PinnedMemberKeys pinned = new PinnedMemberKeys();
    final MemberIdentity self = MemberIdentity.generate(SELF), a = MemberIdentity.generate(A);
    final LinkStateSigning signerA = new LinkStateSigning(a, pinned);
    final NodeCore core;
    final ConnId in = new ConnId(-1);

    SecureCoreTest() {
        pinned.pin(self).pin(a);
        MemberSecurity s = MemberSecurity.of(self, pinned);
        core = new NodeCore(NodeConfig.defaults(SELF, "10.0.0.9", 61223), new Random(1), s.updateSeal(), s.dataSeal());
        core.start(0);
        core.handle(1, new Event.Accepted(in, "10.0.0.1", 40000));
    }

    String signed(String hash, int seq, double cost) {
        return signerA.seal(WireCodec.encode(new Message.PeerUpdate(hash, seq, A, List.of(new Link(A, SELF, cost)))));
    }

    @Test
    void aValidSignedUpdateIsUsedAndAPlainOneIsNot() {
        List<Effect> fx = core.handle(2, new Event.LineReceived(in, signed("aa", 10, 12.5)));
        assertThat(core.linksOf(A)).containsExactly(new Link(A, SELF, 12.5));
        assertThat(fx).noneMatch(e -> e instanceof Effect.Close);
        core.handle(3, new Event.LineReceived(in, WireCodec.encode(new Message.PeerUpdate("bb", 11, A, List.of()))));
        assertThat(core.linksOf(A)).containsExactly(new Link(A, SELF, 12.5));
        assertThat(core.counters().updatesUnsigned).isEqualTo(1);
        assertThat(core.config().features()).contains("sig");
    }

    @Test
    void afterACredentialReloadARevokedOriginIsRefused() {
        core.handle(2, new Event.LineReceived(in, signed("aa", 10, 12.5)));
        pinned.unpin(A); // a's membership ends
        core.handle(3, new Event.LineReceived(in, signed("ab", 11, 20.0)));
        assertThat(core.linksOf(A)).as("still cached").containsExactly(new Link(A, SELF, 20.0));
        assertThat(core.forgetCredentials()).isTrue();
        core.handle(4, new Event.LineReceived(in, signed("ac", 12, 30.0)));
        assertThat(core.linksOf(A)).containsExactly(new Link(A, SELF, 20.0));
        assertThat(core.counters().updatesBadSignature).isEqualTo(1);
    }
}
