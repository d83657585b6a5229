package io.egoist.security.sign;

import io.egoist.node.data.DataSeal;
import io.egoist.node.linkstate.UpdateSeal;
import io.egoist.security.e2e.DataBox;
import java.security.SecureRandom;

/**
 * The two hooks a secure node core takes ({@code new NodeCore(cfg, random, s.updates(), s.data())}): signed link
 * state and end-to-end DATA for one member. Make one per node (the components are not thread-safe).
 */
public record MemberSecurity(LinkStateSigning updates, DataBox data) {

    public static MemberSecurity of(MemberIdentity self, MemberKeys members) {
        return new MemberSecurity(
                new LinkStateSigning(self, members), new DataBox(self.id(), self.agreement(), new SecureRandom()));
    }

    /**
     * A secure process's member (its TLS credentials, reloaded by {@code tls}): signs with its certificate's key and
     * checks others' announcements against the CA bundle and revocation list {@code tls} holds. Throws
     * IllegalArgumentException when the certificate does not bind {@code id}.
     */
    public static MemberSecurity of(io.egoist.wire.NodeId id, io.egoist.security.tls.TlsMembers tls) {
        return of(MemberIdentity.of(id, tls.credentials()), CertificateMemberKeys.of(tls));
    }

    /**
     * What node {@code id} runs with: {@code custom}'s components when given (tests), else those of its TLS
     * credentials when it has some (a secure transport means signed link state and end-to-end DATA too), else null
     * (open mode).
     */
    public static MemberSecurity forNode(
            io.egoist.wire.NodeId id,
            java.util.function.Function<io.egoist.wire.NodeId, MemberSecurity> custom,
            io.egoist.security.tls.TlsMembers tls) {
        if (custom != null) return custom.apply(id);
        return tls == null ? null : of(id, tls);
    }

    public UpdateSeal updateSeal() {
        return updates;
    }

    public DataSeal dataSeal() {
        return data;
    }
}
