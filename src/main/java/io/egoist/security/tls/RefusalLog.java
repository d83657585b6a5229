package io.egoist.security.tls;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a refused TLS peer once per address (a stranger retrying every second must not flood the log); later
 * refusals of the same address go to DEBUG. Remembers the last {@link #MAX_ADDRESSES} addresses; one beyond
 * that forgets the oldest, which may then be logged once more.
 */
public final class RefusalLog {
    private static final Logger log = LoggerFactory.getLogger(TlsMembers.class);

    public static final int MAX_ADDRESSES = 4096;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    /** Logs the refusal of {@code peerIp:peerPort}; returns true if it was logged at INFO/WARN (first time). */
    public boolean refused(String where, String peerIp, int peerPort, String reason) {
        boolean first;
        synchronized (seen) {
            first = seen.put(peerIp, Boolean.TRUE) == null;
        }
        if (first) {
            log.warn("event=tls-refused at={} peer={}:{} reason=\"{}\"", where, peerIp, peerPort, reason);
        } else {
            log.debug("event=tls-refused at={} peer={}:{} reason=\"{}\" again=true", where, peerIp, peerPort, reason);
        }
        return first;
    }
}
