package io.egoist.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A bearer token an HTTP port requires ({@code Authorization: Bearer <token>}), compared in constant time so the
 * time an answer takes says nothing about how much of a guess was right. Shared by the node's control API and the
 * tracker's HTTP port.
 */
public final class BearerToken {
    private final byte[] token;

    public BearerToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether an {@code Authorization} header value (null when absent) carries this token. */
    public boolean matches(String authorization) {
        if (authorization == null) return false;
        String a = authorization.trim();
        if (!a.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = a.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }
}
