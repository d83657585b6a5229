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

    public UpdateSeal updateSeal() {
        return updates;
    }

    public DataSeal dataSeal() {
        return data;
    }
}
