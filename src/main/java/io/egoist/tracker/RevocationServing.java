package io.egoist.tracker;

import io.egoist.runtime.CoreHost;
import io.egoist.security.ca.CaException;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.CrlLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure mode: hands the tracker core the revocation list of its {@code --crl} file, as the reply to a member's
 * {@code CRL} request, now and after every reload of the file (a file change or SIGHUP). The core serves it; the
 * CAs' signatures travel with it, so the tracker passes the list on but cannot alter it.
 */
final class RevocationServing {
    private static final Logger log = LoggerFactory.getLogger(RevocationServing.class);

    private RevocationServing() {}

    static void install(TlsMembers tls, CoreHost<TrackerCore> host) {
        if (tls == null) return;
        tls.onFileRevocations(list -> host.submit(event(list)));
    }

    /** The core's event for {@code list}: its reply line, or why there is none. */
    static TrackerEvent.Revocations event(RevocationList list) {
        if (list.crls().isEmpty())
            return new TrackerEvent.Revocations(null, "this tracker serves no revocation list (no --crl)");
        String wire;
        try {
            wire = list.wireForm();
        } catch (CaException e) {
            log.warn("event=crl-serve-failed reason=\"{}\"", TlsMembers.reason(e));
            return new TrackerEvent.Revocations(null, "the revocation list cannot be encoded");
        }
        if (wire.length() > RevocationList.MAX_WIRE_CHARS) {
            log.warn(
                    "event=crl-serve-refused reason=too-large chars={} max={} revoked={}",
                    wire.length(),
                    RevocationList.MAX_WIRE_CHARS,
                    list.size());
            return new TrackerEvent.Revocations(
                    null, "the revocation list is longer than " + RevocationList.MAX_WIRE_CHARS + " characters");
        }
        log.info("event=crl-serve crls={} revoked={} chars={}", list.crls().size(), list.size(), wire.length());
        return new TrackerEvent.Revocations(CrlLines.reply(wire), null);
    }
}
