package io.egoist.security.tls;

import io.egoist.security.ca.CaException;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** A network CA under a temporary directory and the credentials tests need (test helper). */
public final class TestPki {
    public final Path dir;
    public final NetworkCa ca;

    public TestPki(Path dir) throws CaException {
        this.dir = dir;
        this.ca = NetworkCa.init(dir.resolve("ca"), Instant.now().minus(Duration.ofDays(10)), 3650);
    }

    /** Issues credentials for {@code id} ("tracker" or IP:PORT) into {@code dir/name}; returns that directory. */
    public Path issue(String name, String id) throws CaException {
        return issue(name, id, Instant.now(), 30);
    }

    public Path issue(String name, String id, Instant at, int days) throws CaException {
        Path out = dir.resolve(name);
        ca.writeMember(ca.issue(MemberId.parse(id), at, days), out);
        return out;
    }

    /** Credentials that expired yesterday. */
    public Path expired(String name, String id) throws CaException {
        return issue(name, id, Instant.now().minus(Duration.ofDays(3)), 2);
    }

    public static TlsMembers members(Path credentialDir) throws CaException {
        return TlsMembers.load(
                credentialDir.resolve(NetworkCa.BUNDLE),
                credentialDir.resolve(NetworkCa.MEMBER_CERT),
                credentialDir.resolve(NetworkCa.MEMBER_KEY));
    }

    /**
     * Credentials whose certificate has already expired: loaded with a clock in its validity, then used with a
     * clock that is not ({@link TlsMembers} checks its own certificate only when loading).
     */
    public static TlsMembers expiredMembers(Path credentialDir) throws CaException {
        Instant[] clock = {Instant.now().minus(Duration.ofDays(2))};
        TlsMembers m = TlsMembers.load(
                credentialDir.resolve(NetworkCa.BUNDLE),
                credentialDir.resolve(NetworkCa.MEMBER_CERT),
                credentialDir.resolve(NetworkCa.MEMBER_KEY),
                () -> clock[0]);
        clock[0] = Instant.now();
        return m;
    }

    public static String node(int port) {
        return new NodeId("127.0.0.1", port).toString();
    }
}
