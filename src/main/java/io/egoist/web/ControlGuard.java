package io.egoist.web;

import io.egoist.runtime.BearerToken;
import io.egoist.runtime.HttpJsonServer.HttpError;
import io.egoist.runtime.HttpJsonServer.Request;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps web pages the operator visits away from the control API (DNS rebinding, CSRF), and optionally
 * everyone without the token. Checked in this order, before a handler runs:
 *
 * <ol>
 *   <li>{@code Host} must name the control address: {@code 127.0.0.1:PORT}, {@code localhost:PORT} or, when the
 *       API listens on a specific other address, that address with the port; otherwise 403. A rebound DNS name
 *       arrives with its own name in {@code Host}.</li>
 *   <li>An {@code Origin}, when present, must be {@code http://} + one of those; otherwise 403. Browsers send it
 *       on every cross-origin POST.</li>
 *   <li>With a token: {@code Authorization: Bearer <token>}, else 401 (compared in constant time).</li>
 *   <li>A POST must say {@code Content-Type: application/json}, else 415: a browser cannot send that cross-origin
 *       without a CORS preflight, which this API never approves.</li>
 * </ol>
 */
final class ControlGuard {
    private final String bindHost;
    private final BearerToken token;
    private volatile Set<String> hosts = Set.of();
    private volatile Set<String> origins = Set.of();

    /** @param token the bearer token, or null for none */
    ControlGuard(String bindHost, String token) {
        this.bindHost = bindHost;
        this.token = token == null ? null : new BearerToken(token);
    }

    /** Called once the port is bound: from now on requests must name it. */
    void bound(int port) {
        Set<String> h = new LinkedHashSet<>();
        h.add("127.0.0.1:" + port);
        h.add("localhost:" + port);
        String b = bindHost == null ? "" : bindHost.toLowerCase(Locale.ROOT);
        boolean wildcard = b.isEmpty() || b.equals("0.0.0.0") || b.equals("::") || b.equals("[::]");
        if (!wildcard) h.add((b.contains(":") && !b.startsWith("[") ? "[" + b + "]" : b) + ":" + port);
        Set<String> o = new LinkedHashSet<>();
        for (String x : h) o.add("http://" + x);
        hosts = Set.copyOf(h);
        origins = Set.copyOf(o);
    }

    void check(Request req) {
        String host = req.headers().get("host");
        if (host == null || !hosts.contains(host.trim().toLowerCase(Locale.ROOT)))
            throw new HttpError(
                    403, "forbidden: Host must be the control address (" + String.join(" or ", hosts) + ")");
        String origin = req.headers().get("origin");
        if (origin != null && !origins.contains(origin.trim().toLowerCase(Locale.ROOT)))
            throw new HttpError(403, "forbidden: requests from other origins are not served");
        if (token != null && !token.matches(req.headers().get("authorization")))
            throw new HttpError(401, "unauthorized: send Authorization: Bearer <token> (see --control-token-file)");
        if (req.method().equals("POST") && !isJson(req.headers().get("content-type")))
            throw new HttpError(415, "unsupported media type: POST needs Content-Type: application/json");
    }

    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        return type.equalsIgnoreCase("application/json");
    }
}
