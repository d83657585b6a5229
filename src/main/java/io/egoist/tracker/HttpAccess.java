package io.egoist.tracker;

import io.egoist.runtime.BearerToken;
import io.egoist.runtime.HttpJsonServer.HttpError;
import io.egoist.runtime.HttpJsonServer.Request;

/**
 * Who may read the tracker's HTTP port in secure mode: the overlay ({@code /api/overlay}, the map and its event
 * stream) and {@code /metrics} tell a stranger every member's address and link, so they are served only to a
 * client on the tracker's own machine (127.0.0.1 / ::1) or one that presents the bearer token of
 * {@code --http-token-file}; anyone else gets 401. {@code /healthz} stays open for load balancers. In open mode
 * nothing is checked (the port is bound to 127.0.0.1 unless the operator opened it).
 */
public final class HttpAccess {
    private final BearerToken token;

    /** @param token the bearer token, or null: then only local clients are served */
    public HttpAccess(String token) {
        this.token = token == null ? null : new BearerToken(token);
    }

    public void check(Request req) {
        if ("/healthz".equals(req.path())) return;
        if (isLoopback(req.remoteAddress())) return;
        if (token != null && token.matches(req.headers().get("authorization"))) return;
        throw new HttpError(
                401,
                "unauthorized: in secure mode the tracker's overlay and metrics are served on 127.0.0.1 or with"
                        + " 'Authorization: Bearer <token>' (--http-token-file)");
    }

    static boolean isLoopback(String ip) {
        return ip != null && (ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1"));
    }
}
