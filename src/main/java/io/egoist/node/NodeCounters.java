package io.egoist.node;

import java.util.Map;
import java.util.TreeMap;

/** Counts of significant events of a node, for tests, metrics and the benchmark. */
public final class NodeCounters {
    public long replayed, forwarded;
    public long rewires,
            changes,
            repairs,
            aborted,
            neighborsLost,
            updatesAccepted,
            updatesStale,
            updatesDuplicate,
            rejected,
            registrations,
            reRegistrations,
            dataForwarded,
            dataDropped,
            announcements;
    /** Peer updates dropped as unacceptable (the link stays up), self-links left out of accepted ones. */
    public long updatesDropped, selfLinksIgnored;
    /** Updates of our own id with a sequence number ahead of ours (we re-announced past them). */
    public long ownSeqAhead;
    /**
     * Stale updates answered with the newer copy we hold (to the source itself: a restarted node learns where its
     * previous life stopped); near-wrap warnings logged (v0.2 peers present).
     */
    public long staleAnswered, wrapWarnings;
    /**
     * Secure mode: lines refused because they claim an id other than the one the connection's certificate
     * authenticated (a HELLO of another id: the connection is closed; DATA whose previous hop is another id).
     */
    public long identityMismatches;
    /**
     * Secure mode: plain (unsigned) updates dropped, signed updates refused (bad signature, unknown or invalid
     * credential, origin not the credential's id), DATA refused at the destination (not sealed by its claimed
     * source), acknowledgements refused (proof missing or invalid).
     */
    public long updatesUnsigned, updatesBadSignature, dataUnauthentic, acksUnauthentic;
    /** Periodic br steps that kept the wiring because the gain was below the noise guard. */
    public long guarded;
    /** DATA/DACK lines that waited for a route (held) and were sent once one appeared. */
    public long held, heldSent;
    /** DACKs written back on the connection their DATA came in on (hop-by-hop reverse state). */
    public long acksSentBack;
    /** Wirings changed to keep the overlay usable for DATA (data-capable neighbors preferred or kept). */
    public long dataPreferred;
    /** Unconfirmed nodes (named only in peers' updates) forgotten because their set was full. */
    public long unconfirmedEvicted;
    /** Dropped DATA/DACK by reason (ttl, loop, no_route, no_route_for_ack, link_lost). */
    public final Map<String, Long> drops = new TreeMap<>();
}
