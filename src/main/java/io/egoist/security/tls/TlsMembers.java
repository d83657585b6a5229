package io.egoist.security.tls;

import io.egoist.core.LogValues;
import io.egoist.security.ca.CaException;
import io.egoist.security.ca.Credentials;
import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.MemberVerifier;
import io.egoist.security.ca.RevocationList;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live credentials of a process in secure mode and the TLS it speaks: TLS 1.3 only, both sides present a
 * member certificate, each checks the other's against the CA bundle, the revocation list and the clock. One
 * server and one client {@link SslContext}, built once; their key and trust managers read the current
 * credentials at each handshake, so {@link #reload} and {@link #revocations(RevocationList)} take effect for new
 * connections while live ones keep running. Thread-safe.
 */
public final class TlsMembers {
    private static final Logger log = LoggerFactory.getLogger(TlsMembers.class);

    /** How long a TLS handshake may take before the connection is closed. */
    public static final long HANDSHAKE_TIMEOUT_MS = 5000;

    private final Path caFile, certFile, keyFile;
    private volatile Path crlFile;
    private final Supplier<Instant> clock;
    private final AtomicReference<Credentials> credentials;
    private final AtomicReference<RevocationList> revoked = new AtomicReference<>(RevocationList.EMPTY);
    /** The --crl file's list and the tracker's (guarded by this); {@link #revoked} is their union. */
    private RevocationList fileRevoked = RevocationList.EMPTY, fetched = RevocationList.EMPTY;

    private final List<Consumer<RevocationList>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final SslContext server, client;

    private TlsMembers(Path caFile, Path certFile, Path keyFile, Supplier<Instant> clock, Credentials first)
            throws SSLException {
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.clock = clock;
        this.credentials = new AtomicReference<>(first);
        MemberKeyManager km = new MemberKeyManager(credentials::get);
        MemberTrustManager tm = new MemberTrustManager(this);
        this.server = SslContextBuilder.forServer(km)
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(tm)
                .build();
        this.client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .keyManager(km)
                .trustManager(tm)
                .endpointIdentificationAlgorithm(null) // peers are known by the id in their certificate
                .build();
    }

    /** Loads the three files (see {@link Credentials#load}); fails with the file and the reason. */
    public static TlsMembers load(Path caFile, Path certFile, Path keyFile) throws CaException {
        return load(caFile, certFile, keyFile, Instant::now);
    }

    public static TlsMembers load(Path caFile, Path certFile, Path keyFile, Supplier<Instant> clock)
            throws CaException {
        Credentials first = Credentials.load(caFile, certFile, keyFile, clock.get());
        try {
            return new TlsMembers(caFile, certFile, keyFile, clock, first);
        } catch (SSLException e) {
            throw new CaException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public Credentials credentials() {
        return credentials.get();
    }

    /** Our own id, as our certificate names it. */
    public MemberId id() {
        return credentials.get().id();
    }

    /** The revocation list in force: the union of the {@code --crl} file's and the one fetched from the tracker. */
    public RevocationList revocations() {
        return revoked.get();
    }

    /** Replaces the file's revocation list; the runtime then closes live connections of revoked peers. */
    public void revocations(RevocationList list) {
        synchronized (this) {
            fileRevoked = list;
            revoked.set(list.plus(fetched));
        }
        notifyFileList(list);
    }

    /** The list of the {@code --crl} file alone (what a tracker serves), EMPTY without one. */
    public synchronized RevocationList fileRevocations() {
        return fileRevoked;
    }

    /** The list last taken from the tracker, EMPTY before the first. */
    public synchronized RevocationList fetchedRevocations() {
        return fetched;
    }

    /**
     * Calls {@code listener} with the file's list now and after every change of it (a tracker serves what it
     * gets); called on the thread that loaded the list.
     */
    public void onFileRevocations(Consumer<RevocationList> listener) {
        listeners.add(listener);
        listener.accept(fileRevocations());
    }

    private void notifyFileList(RevocationList list) {
        for (Consumer<RevocationList> l : listeners) {
            try {
                l.accept(list);
            } catch (RuntimeException e) {
                log.warn("event=crl-listener-failed reason=\"{}\"", reason(e));
            }
        }
    }

    /**
     * Takes a list fetched from the tracker ({@link RevocationList#fromWire}, so its CRLs are the CAs' own) unless
     * it is older than the one taken before for some CA of the bundle (a tracker cannot roll a revocation back):
     * then throws, and nothing changes. Returns true when the entries in force changed (the caller then cuts the
     * live connections of revoked peers).
     */
    public boolean useFetched(RevocationList list) throws CaException {
        synchronized (this) {
            String older = list.olderThan(fetched, credentials.get().bundle());
            if (older != null) throw new CaException(older);
            RevocationList before = revoked.get();
            fetched = list;
            revoked.set(fileRevoked.plus(list));
            return !before.entries().equals(revoked.get().entries());
        }
    }

    /** False when the peer certificate of this session is (now) revoked, expired or of a CA no longer trusted. */
    public boolean stillMember(SSLSession session) {
        try {
            List<X509Certificate> chain = chain(session.getPeerCertificates());
            return verify(chain) instanceof MemberVerifier.Member;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /**
     * Uses the revocation list in {@code file} (PEM CRLs of the bundle's CAs, as {@code egoist ca revoke} writes
     * them) from now on, and re-reads it at every {@link #reload}. Fails if the file is unreadable or a CRL in it
     * is altered.
     */
    public void revocationFile(Path file) throws CaException {
        RevocationList list = RevocationList.load(file, credentials.get().bundle());
        crlFile = file;
        revocations(list);
    }

    /** The files a reload reads: CA bundle, certificate, key and, if set, the revocation list. */
    public List<Path> files() {
        Path crl = crlFile;
        return crl == null ? List.of(caFile, certFile, keyFile) : List.of(caFile, certFile, keyFile, crl);
    }

    /** {@link #reload(String)} by a direct call. */
    public List<String> reload() throws CaException {
        return reload("call");
    }

    /**
     * Reads the files again and, if they make valid credentials, uses them for new handshakes. On an error the old
     * ones stay (a half-copied file must not cut a running member off) and the error is thrown. Logs one INFO line
     * {@code event=tls-reload trigger=... changed=...} and returns what changed: {@code certificate}, {@code key},
     * {@code ca-bundle}, {@code crl} (none: an empty list).
     */
    public List<String> reload(String trigger) throws CaException {
        Credentials next = Credentials.load(caFile, certFile, keyFile, clock.get());
        Path crl = crlFile;
        RevocationList fileList = crl == null ? null : RevocationList.load(crl, next.bundle());
        List<String> changed = new ArrayList<>();
        RevocationList inForce;
        synchronized (this) {
            Credentials prev = credentials.getAndSet(next);
            if (!prev.certificate().equals(next.certificate())) changed.add("certificate");
            if (!java.util.Arrays.equals(prev.key().getEncoded(), next.key().getEncoded())) changed.add("key");
            if (!prev.bundle().equals(next.bundle())) {
                changed.add("ca-bundle");
                try { // CRLs of a CA no longer in the bundle stop counting
                    fetched = RevocationList.of(fetched.crls(), next.bundle(), "tracker's list");
                } catch (CaException e) {
                    fetched = RevocationList.EMPTY;
                }
            }
            if (fileList != null && !fileList.crls().equals(fileRevoked.crls())) changed.add("crl");
            if (fileList != null) fileRevoked = fileList;
            revoked.set(fileRevoked.plus(fetched));
            inForce = revoked.get();
        }
        if (fileList != null) notifyFileList(fileList);
        log.info(
                "event=tls-reload trigger={} changed={} id={} serial={} cas={} not_after={} revoked={}",
                trigger,
                changed.isEmpty() ? "none" : String.join(",", changed),
                next.id(),
                next.certificate().getSerialNumber().toString(16),
                next.bundle().cas().size(),
                next.certificate().getNotAfter().toInstant(),
                inForce.size());
        return changed;
    }

    /** Whether the chain a peer presented makes it a member now. */
    public MemberVerifier.Result verify(List<X509Certificate> chain) {
        return MemberVerifier.verify(chain, credentials.get().bundle(), revoked.get(), clock.get());
    }

    public SslHandler newServerHandler(ByteBufAllocator alloc) {
        SslHandler h = server.newHandler(alloc);
        h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        return h;
    }

    public SslHandler newClientHandler(ByteBufAllocator alloc) {
        SslHandler h = client.newHandler(alloc);
        h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
        return h;
    }

    /** The id in the certificate the peer of a completed handshake presented, or null. */
    public static MemberId peerId(SSLSession session) {
        try {
            List<X509Certificate> chain = chain(session.getPeerCertificates());
            return chain.isEmpty() ? null : MemberVerifier.idOf(chain.get(0));
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static List<X509Certificate> chain(Certificate[] certs) {
        return java.util.Arrays.stream(certs)
                .filter(X509Certificate.class::isInstance)
                .map(X509Certificate.class::cast)
                .toList();
    }

    /** A handshake failure cause as a short, printable reason for a log line. */
    public static String reason(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return LogValues.ascii(m, 160);
    }
}
