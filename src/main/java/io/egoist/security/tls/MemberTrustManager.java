package io.egoist.security.tls;

import io.egoist.security.ca.MemberVerifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a peer only if {@link MemberVerifier} makes it a member under the current CA bundle, revocation list
 * and time (both directions: a node checks the tracker's and its neighbors' certificates too). Host names play
 * no part: a peer is known by the id in its certificate, which the runtime reads after the handshake.
 */
final class MemberTrustManager extends X509ExtendedTrustManager {
    private final TlsMembers members;

    MemberTrustManager(TlsMembers members) {
        this.members = members;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        var result = members.verify(chain == null ? List.of() : List.of(chain));
        if (result instanceof MemberVerifier.Refused r) throw new CertificateException("not a member: " + r.reason());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return members.credentials().bundle().cas().toArray(X509Certificate[]::new);
    }
}
