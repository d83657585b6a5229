package io.egoist.node.runtime;

import io.egoist.security.ca.CaException;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The demo's throw-away network CA: what {@code egoist ca init} and {@code egoist ca issue} write, under a
 * temporary directory ({@code ca/}, then one directory per member), deleted again by {@link #close()}.
 */
public final class DemoPki implements LocalOverlay.Pki {
    /** Certificates of the demo live a day: long enough for any run, useless after it. */
    static final int DAYS = 1;

    private final Path dir;
    private final NetworkCa ca;
    /** Deletes the directory when the process is stopped (Ctrl-C, SIGTERM) before {@link #close()}. */
    private final Thread onExit;

    private DemoPki(Path dir, NetworkCa ca) {
        this.dir = dir;
        this.ca = ca;
        this.onExit = new Thread(() -> LocalOverlay.deleteTree(dir), "demo-ca-cleanup");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /** Creates a new CA in a new temporary directory. */
    public static DemoPki create() {
        Path dir;
        try {
            dir = Files.createTempDirectory("egoist-demo-ca-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        try {
            return new DemoPki(dir, NetworkCa.init(dir.resolve("ca"), Instant.now(), DAYS));
        } catch (CaException e) {
            LocalOverlay.deleteTree(dir);
            throw new IllegalStateException("cannot create the demo's CA: " + e.getMessage(), e);
        }
    }

    /** The temporary directory (the CA is in {@code ca/}, members' credentials next to it). */
    public Path dir() {
        return dir;
    }

    @Override
    public TlsMembers tracker() {
        return issue("tracker", MemberId.parse("tracker"));
    }

    @Override
    public TlsMembers node(NodeId id) {
        return issue("node-" + id.port(), MemberId.parse(id.toString()));
    }

    private TlsMembers issue(String name, MemberId id) {
        Path out = dir.resolve(name);
        try {
            ca.writeMember(ca.issue(id, Instant.now(), DAYS), out);
            return TlsMembers.load(
                    out.resolve(NetworkCa.BUNDLE),
                    out.resolve(NetworkCa.MEMBER_CERT),
                    out.resolve(NetworkCa.MEMBER_KEY));
        } catch (CaException e) {
            throw new IllegalStateException("cannot issue the demo's credentials for " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        LocalOverlay.deleteTree(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
    }
}
