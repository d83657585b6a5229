package io.egoist.security.tls;

import io.egoist.security.ca.Credentials;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the member's current certificate on both sides of every handshake. It reads the credentials at
 * each handshake, so a reload takes effect for the next connection while live ones keep their session.
 */
final class MemberKeyManager extends X509ExtendedKeyManager {
    static final String ALIAS = "member";

    private final Supplier<Credentials> current;

    MemberKeyManager(Supplier<Credentials> current) {
        this.current = current;
    }

    private String aliasFor(String keyType) {
        String alg = current.get().key().getAlgorithm();
        boolean ed = alg.equals("EdDSA") || alg.equals("Ed25519");
        if (keyType == null) return ALIAS;
        boolean match = ed ? keyType.equals("EdDSA") || keyType.equals("Ed25519") : keyType.startsWith(alg);
        return match ? ALIAS : null;
    }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes == null) return ALIAS;
        for (String t : keyTypes) if (aliasFor(t) != null) return ALIAS;
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {current.get().certificate()} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? current.get().key() : null;
    }
}
