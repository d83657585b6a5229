package io.egoist.runtime;

import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.netty.channel.EventLoopGroup;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings of a {@link CoreHost}; every field has a usable default. Callers use the concrete {@link
 * CoreHost.Options}: this base only keeps the settings in a file of their own, and its type parameter lets every
 * setter return {@code CoreHost.Options} for chaining.
 *
 * @param <S> the concrete settings type the setters return
 */
public abstract class CoreHostSettings<S extends CoreHostSettings<S>> {
    /** The host's logger: an unhandled effect is still logged under the host's name. */
    private static final Logger log = LoggerFactory.getLogger(CoreHost.class);

    String name = "core";
    LongSupplier clock = System::currentTimeMillis;
    Consumer<Effect> otherEffects = e -> log.warn("event=unhandled_effect effect={}", e);
    OutboundDelay delay = OutboundDelay.NONE;
    EventLoopGroup group;
    boolean nativeTransport;
    int connectTimeoutMs = 3000;
    int maxOutstandingProbes = EchoProber.DEFAULT_MAX_OUTSTANDING;
    long probeIdleCloseMs;
    long closeGraceMs;
    int writeLowWaterMark = 32 * 1024;
    int writeHighWaterMark = 256 * 1024;
    CoreHost.Tap tap = new CoreHost.Tap() {};
    HostTls tls;
    int maxConnectionsPerAddress;
    String perAddressRefusal;
    long firstLineTimeoutMs;
    String firstLineRefusal;
    long stallCloseMs;
    int sharedLineMinChars;
    long sharedLineMaxBytes;
    CoreHost.FrameSink frameSink;
    int maxFrameBody;
    int handshakeCapTotal;
    int handshakeCapPerAddress;

    /** A name for logs and for the loop thread when the host owns it. */
    public S name(String v) {
        name = v;
        return self();
    }

    /** The clock the core is given as {@code now} and timers are set against (ms). */
    public S clock(LongSupplier v) {
        clock = v;
        return self();
    }

    /** Performs the core's own effects (anything that is not Send/Close/Connect/SetTimer/CancelTimer/Probe). */
    public S otherEffects(Consumer<Effect> v) {
        otherEffects = v;
        return self();
    }

    /** Latency emulation; default none. */
    public S delay(OutboundDelay v) {
        delay = v;
        return self();
    }

    /**
     * Runs the core on one loop of this group (the host does not shut the group down). Default: the host
     * creates and owns a one-thread group.
     */
    public S group(EventLoopGroup v) {
        group = v;
        return self();
    }

    /**
     * When the host makes its own group: use Linux's native epoll transport where it loads, NIO elsewhere (see
     * {@link Netty#newGroup(int, String, boolean)}). Default false: the process-wide transport ({@link
     * Netty#transport()}). Every channel of the host (listening, accepted, opened, probes) follows its loop's
     * transport. Ignored with {@link #group}.
     */
    public S nativeTransport(boolean v) {
        nativeTransport = v;
        return self();
    }

    public S connectTimeoutMs(int v) {
        connectTimeoutMs = v;
        return self();
    }

    public S maxOutstandingProbes(int v) {
        maxOutstandingProbes = v;
        return self();
    }

    /** Close an echo connection no probe used for this long (see {@link EchoProber#closeIdleAfter}); 0 = never. */
    public S probeIdleCloseMs(long v) {
        probeIdleCloseMs = v;
        return self();
    }

    /**
     * A {@link Effect.Close} waits until what was sent before is written; when the peer does not read, at
     * most this long: then the connection is closed and the unwritten rest dropped (its buffers freed).
     * 0 (default) = wait as long as it takes. Costs a timer only when output is still pending at the Close.
     */
    public S closeGraceMs(long v) {
        closeGraceMs = v;
        return self();
    }

    /**
     * Backpressure on accepted connections (bytes): stop reading a connection once more than {@code high}
     * bytes wait to be written to it, read again once fewer than {@code low} do. Default 32 KB / 256 KB.
     */
    public S writeBufferWaterMark(int low, int high) {
        if (low < 1 || high < low)
            throw new IllegalArgumentException("water marks need 1 <= low <= high, not " + low + "/" + high);
        writeLowWaterMark = low;
        writeHighWaterMark = high;
        return self();
    }

    /**
     * At most {@code max} open accepted connections from one remote address (0 = no cap, the default); one
     * more gets {@code refusal} (a line, or null for none) and is closed without the core hearing of it.
     */
    public S maxConnectionsPerAddress(int max, String refusal) {
        if (max < 0) throw new IllegalArgumentException("per-address cap must be >= 0, not " + max);
        maxConnectionsPerAddress = max;
        perAddressRefusal = refusal;
        return self();
    }

    /**
     * An accepted connection whose first complete line has not arrived {@code ms} after it was accepted gets
     * {@code refusal} (a line, or null) and is closed (0 = no deadline, the default).
     */
    public S firstLineTimeout(long ms, String refusal) {
        if (ms < 0) throw new IllegalArgumentException("first-line timeout must be >= 0, not " + ms);
        firstLineTimeoutMs = ms;
        firstLineRefusal = refusal;
        return self();
    }

    /**
     * A connection that is unwritable (more than the high water mark unwritten: the peer does not read) and
     * whose unwritten output has not shrunk for {@code ms} is closed and its output dropped (0 = never, the
     * default). Costs a timer only for a connection that became unwritable.
     */
    public S stallCloseMs(long ms) {
        if (ms < 0) throw new IllegalArgumentException("stall timeout must be >= 0, not " + ms);
        stallCloseMs = ms;
        return self();
    }

    /**
     * Lines of at least {@code minChars} characters are encoded once and shared by every connection they are
     * sent to (see {@link SharedLines}), up to {@code maxBytes} cached; 0 = off (the default).
     */
    public S sharedLines(int minChars, long maxBytes) {
        if (minChars < 0 || maxBytes < 0) throw new IllegalArgumentException("shared lines: negative bound");
        sharedLineMinChars = minChars;
        sharedLineMaxBytes = maxBytes;
        return self();
    }

    /**
     * Secure mode (null: open): every connection and probe is mutual TLS 1.3; the core hears of one only after its
     * handshake, with {@link Event.Authenticated} after Accepted / Connected. A connection the core opens to
     * host:port must present the id {@code expected} gives for them (null or a null id: any member).
     */
    public S tls(HostTls v) {
        tls = v;
        return self();
    }

    /**
     * Secure mode: count every accepted connection from its TCP accept on, TLS handshake included, against at
     * most {@code total} in all and {@code perAddress} from one address (0: no cap of that kind; both 0, the
     * default: off). One over a cap gets {@code NACK@busy: ...} in plain text and is closed before its handshake
     * (see {@link HandshakeCount}). Give the port's own caps (those its core or {@link #maxConnectionsPerAddress}
     * apply after the handshake), so that handshakes in progress count towards them. Ignored in open mode.
     */
    public S countHandshakes(int total, int perAddress) {
        if (total < 0 || perAddress < 0)
            throw new IllegalArgumentException("handshake caps must be >= 0, not " + total + "/" + perAddress);
        handshakeCapTotal = total;
        handshakeCapPerAddress = perAddress;
        return self();
    }

    /**
     * Accepted connections also carry binary frames (see {@link FrameSplitter}) of at most {@code maxBody}
     * bytes; each goes to {@code sink} on the loop thread, never to the core. Default: none (lines only).
     */
    public S frames(int maxBody, CoreHost.FrameSink sink) {
        maxFrameBody = maxBody;
        frameSink = sink;
        return self();
    }

    public S tap(CoreHost.Tap v) {
        tap = v;
        return self();
    }

    /** This object as its concrete type, for chaining. */
    abstract S self();
}
