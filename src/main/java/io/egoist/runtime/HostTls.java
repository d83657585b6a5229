package io.egoist.runtime;

import io.egoist.security.ca.MemberId;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A {@link CoreHost}'s secure mode: the credentials, and whom a connection the core opens to {@code host:port}
 * must reach ({@code expected} gives the ids its certificate may name; null, or a null id: any member).
 */
public record HostTls(TlsMembers members, BiFunction<String, Integer, Set<MemberId>> expected) {

    public HostTls {
        if (members == null) throw new IllegalArgumentException("no credentials");
    }

    /** Null for open mode (no credentials), else a setup that takes any member. */
    public static HostTls of(TlsMembers members) {
        return members == null ? null : new HostTls(members, null);
    }

    Set<MemberId> expectedAt(String host, int port) {
        return expected == null ? null : expected.apply(host, port);
    }

    /**
     * A node's setup (null for open mode): a connection to the tracker's address must reach the tracker; one to
     * any other host:port the node whose main port it is (ip:port) or whose echo port it is (ip:port-1, where the
     * HELLO exchange goes): a node id is its address.
     */
    public static HostTls forNode(TlsMembers members, String trackerHost, int trackerPort) {
        if (members == null) return null;
        return new HostTls(members, (host, port) -> {
            if (host.equals(trackerHost) && port == trackerPort) return Set.of(MemberId.TRACKER);
            Set<MemberId> ids = new HashSet<>();
            for (int p : new int[] {port, port - 1}) {
                NodeId id = NodeId.tryParse(host + ":" + p);
                if (id != null) ids.add(MemberId.of(id));
            }
            return ids.isEmpty() ? null : Set.copyOf(ids);
        });
    }
}
