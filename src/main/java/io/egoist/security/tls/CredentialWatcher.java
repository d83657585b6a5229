package io.egoist.security.tls;

import io.egoist.security.ca.CaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a secure process's credentials current without a restart: every period it looks at the credential files
 * (CA bundle, certificate, key, revocation list); when one changed it reloads them ({@link TlsMembers#reload}),
 * and in every period it calls {@code recheck}, which closes live connections whose peer is no longer a member
 * (revoked, expired, its CA dropped from the bundle). Live connections of members keep running. A reload that
 * fails (a file half written, a key that does not match yet) keeps the old credentials, logs one WARN line and is
 * tried again at the next change.
 */
public final class CredentialWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CredentialWatcher.class);

    /** How often the files are looked at, and live connections re-checked, by default. */
    public static final long DEFAULT_PERIOD_MS = 5_000;

    private final TlsMembers tls;
    private final Runnable recheck;
    private final ScheduledExecutorService timer;
    private List<String> lastSeen;
    private List<String> lastFailed;

    private CredentialWatcher(TlsMembers tls, Runnable recheck) {
        this.tls = tls;
        this.recheck = recheck;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egoist-credentials");
            t.setDaemon(true);
            return t;
        });
        this.lastSeen = fingerprints();
    }

    public static CredentialWatcher start(TlsMembers tls, long periodMs, Runnable recheck) {
        if (periodMs < 1) throw new IllegalArgumentException("period must be positive: " + periodMs);
        CredentialWatcher w = new CredentialWatcher(tls, recheck);
        w.timer.scheduleWithFixedDelay(w::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
        return w;
    }

    private List<String> fingerprints() {
        List<String> out = new ArrayList<>();
        for (Path p : tls.files()) {
            try {
                out.add(p + "@" + Files.getLastModifiedTime(p).toMillis() + "/" + Files.size(p));
            } catch (IOException e) {
                out.add(p + "@missing");
            }
        }
        return out;
    }

    /** One round: reload if a file changed, then re-check live connections. */
    synchronized void tick() {
        try {
            List<String> now = fingerprints();
            if (!now.equals(lastSeen) && !now.equals(lastFailed)) {
                try {
                    tls.reload("file-change");
                    lastSeen = now;
                    lastFailed = null;
                } catch (CaException e) {
                    lastFailed = now;
                    log.warn("event=tls-reload-failed reason=\"{}\" kept=previous", TlsMembers.reason(e));
                }
            }
            recheck.run();
        } catch (RuntimeException e) {
            log.error("event=tls-watch-failed reason={}", Objects.toString(e.getMessage(), e.toString()), e);
        }
    }

    /**
     * Reloads now, whether or not a file changed (SIGHUP), then re-checks live connections. A failed reload keeps
     * the previous credentials and logs {@code event=tls-reload-failed}. Returns what changed, or null on failure.
     */
    public synchronized List<String> reloadNow(String trigger) {
        try {
            List<String> now = fingerprints();
            List<String> changed;
            try {
                changed = tls.reload(trigger);
                lastSeen = now;
                lastFailed = null;
            } catch (CaException e) {
                log.warn(
                        "event=tls-reload-failed trigger={} reason=\"{}\" kept=previous",
                        trigger,
                        TlsMembers.reason(e));
                return null;
            }
            recheck.run();
            return changed;
        } catch (RuntimeException e) {
            log.error("event=tls-watch-failed reason={}", Objects.toString(e.getMessage(), e.toString()), e);
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
