package io.egoist.tracker;

import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.Pem;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Blocking TLS 1.3 sockets with a member's credentials (test helper): to see what a server presents, or to
 * connect from a chosen local address. They take any server certificate: checking the server is not what the
 * tests using them are about.
 */
final class MemberSockets {
    private MemberSockets() {}

    /** A socket connected to 127.0.0.1:{@code port} from {@code localIp}, handshake done. */
    static SSLSocket open(Path memberDir, String localIp, int port) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
                "m",
                Pem.readPrivateKey(memberDir.resolve(NetworkCa.MEMBER_KEY)),
                new char[0],
                Pem.readCertificates(memberDir.resolve(NetworkCa.MEMBER_CERT)).toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        TrustManager anything = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), new TrustManager[] {anything}, new SecureRandom());
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        try {
            s.bind(new InetSocketAddress(localIp, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.startHandshake();
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }
}
