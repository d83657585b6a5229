package io.egoist.web.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.runtime.HttpJsonServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContentEncoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server-sent event stream ({@code text/event-stream}) of overlay changes, for the live map.
 *
 * <p>A subscriber first gets one {@code snapshot} event (the whole overlay), then every change as its own
 * event ({@code join}, {@code update}, {@code suspect}, {@code remove}, at a node also {@code rewire}). Each
 * node event carries that node's complete state, so a change seen twice (once in the snapshot, once as an
 * event) does no harm.
 *
 * <p>Producers call {@link #publish} from any thread, typically the core's: it only appends a small record to
 * a bounded intake queue, and does nothing at all while nobody watches. One hub thread serialises each event
 * once and writes it to every subscriber. Limits (all with defaults in {@link Limits#DEFAULTS}):
 * <ul>
 *   <li>subscribers: at most {@link #DEFAULT_MAX_SUBSCRIBERS}; one more gets {@code 503} with a JSON error;</li>
 *   <li>subscribers from one IP address: at most {@link #DEFAULT_MAX_PER_ADDRESS}; one more gets {@code 429} with a
 *       one-line JSON error (counted, {@link #refusedPerAddressCount}), so one client cannot take every stream;</li>
 *   <li>per subscriber: at most {@link #DEFAULT_SUBSCRIBER_QUEUE} events written but not yet taken by its
 *       socket (this also covers a burst the network thread has not caught up with: a burst of more changes
 *       than that makes watchers start again from a snapshot); a subscriber that does not read is dropped (its stream ends; a browser's EventSource
 *       reconnects and starts again from a snapshot), so a slow reader never grows the tracker's memory;</li>
 *   <li>intake: at most {@link #DEFAULT_INTAKE} events waiting for the hub thread; when it overflows, every
 *       subscriber's stream is ended (they have missed events) and they start again from a snapshot.</li>
 * </ul>
 * A comment line every {@link #DEFAULT_HEARTBEAT_MS} ms keeps idle streams open through proxies.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static final int DEFAULT_MAX_SUBSCRIBERS = 32;
    /** Subscribers from one IP address (a browser's few tabs; one client must not take all the streams). */
    public static final int DEFAULT_MAX_PER_ADDRESS = 4;

    public static final int DEFAULT_SUBSCRIBER_QUEUE = 1024;
    public static final int DEFAULT_INTAKE = 8192;
    public static final long DEFAULT_HEARTBEAT_MS = 15_000;
    /** Sent to the browser: how long to wait before reconnecting after the stream ends. */
    public static final int RETRY_MS = 2_000;

    /** The hub's limits. */
    public record Limits(int maxSubscribers, int subscriberQueue, int intake, long heartbeatMs, int maxPerAddress) {
        public static final Limits DEFAULTS = new Limits(
                DEFAULT_MAX_SUBSCRIBERS,
                DEFAULT_SUBSCRIBER_QUEUE,
                DEFAULT_INTAKE,
                DEFAULT_HEARTBEAT_MS,
                DEFAULT_MAX_PER_ADDRESS);

        public Limits {
            if (maxSubscribers < 1 || subscriberQueue < 1 || intake < 1 || heartbeatMs < 1 || maxPerAddress < 1) {
                throw new IllegalArgumentException("event hub limits must be positive");
            }
        }

        /** With the default per-address cap (at most the total). */
        public Limits(int maxSubscribers, int subscriberQueue, int intake, long heartbeatMs) {
            this(
                    maxSubscribers,
                    subscriberQueue,
                    intake,
                    heartbeatMs,
                    Math.min(maxSubscribers, DEFAULT_MAX_PER_ADDRESS));
        }

        /** These limits with at most {@code n} subscribers per IP address. */
        public Limits withMaxPerAddress(int n) {
            return new Limits(maxSubscribers, subscriberQueue, intake, heartbeatMs, n);
        }
    }

    /** One change: its event type and its JSON body, built lazily on the hub thread. */
    private record Pending(String type, Supplier<?> body) {}

    private final Limits limits;
    private final Supplier<? extends CompletionStage<?>> snapshot;
    private final EventExecutor executor = new DefaultEventExecutor(new DefaultThreadFactory("egoist-events", true));
    private final ArrayBlockingQueue<Pending> intake;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final AtomicInteger watching = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong refusedPerAddress = new AtomicLong();
    private final AtomicInteger maxQueued = new AtomicInteger();
    private final List<Subscriber> subscribers = new ArrayList<>(); // hub thread only
    private long seq; // hub thread only

    /**
     * @param snapshot the whole overlay as a JSON-able value, asked once per new subscriber
     */
    public EventHub(Limits limits, Supplier<? extends CompletionStage<?>> snapshot) {
        this.limits = limits;
        this.snapshot = snapshot;
        this.intake = new ArrayBlockingQueue<>(limits.intake());
        executor.scheduleAtFixedRate(
                this::heartbeat, limits.heartbeatMs(), limits.heartbeatMs(), TimeUnit.MILLISECONDS);
    }

    /** Queues one change for the subscribers; cheap, never blocks; nothing happens while nobody watches. */
    public void publish(String type, Supplier<?> body) {
        if (watching.get() == 0) return;
        if (!intake.offer(new Pending(type, body))) overflowed.set(true);
        if (drainScheduled.compareAndSet(false, true)) executor.execute(this::drain);
    }

    /** The {@link HttpJsonServer.StreamHandler} for {@code GET /api/events}. */
    public void open(HttpJsonServer.Request request, Channel channel) {
        executor.execute(() -> subscribe(channel));
    }

    /** Subscribers connected now (for tests and health). */
    public int subscriberCount() {
        return watching.get();
    }

    /** Subscribers dropped so far for not reading. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Subscriptions refused (429) because their IP address already had {@link Limits#maxPerAddress()} streams. */
    public long refusedPerAddressCount() {
        return refusedPerAddress.get();
    }

    /** Times every stream was ended because the intake overflowed. */
    public long resyncCount() {
        return resyncs.get();
    }

    /** The most events ever queued for one subscriber (never above {@link Limits#subscriberQueue()}). */
    public int maxQueuedSeen() {
        return maxQueued.get();
    }

    public Limits limits() {
        return limits;
    }

    @Override
    public void close() {
        executor.execute(() -> {
            for (Subscriber s : List.copyOf(subscribers)) s.channel.close();
        });
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------------------ hub thread

    private final class Subscriber {
        final Channel channel;
        final String address;
        final AtomicInteger inFlight = new AtomicInteger(); // written, not yet taken by the socket
        final ArrayDeque<byte[]> backlog = new ArrayDeque<>(); // events before the snapshot arrived
        boolean ready;
        boolean gone;

        Subscriber(Channel channel) {
            this.channel = channel;
            this.address = addressOf(channel);
        }

        void send(byte[] frame) {
            if (gone) return;
            if (!ready) {
                backlog.add(frame);
                maxQueued.accumulateAndGet(backlog.size(), Math::max);
                if (backlog.size() >= limits.subscriberQueue()) drop(this, "slow");
                return;
            }
            write(frame);
        }

        void write(byte[] frame) {
            if (inFlight.get() >= limits.subscriberQueue()) {
                drop(this, "slow");
                return;
            }
            maxQueued.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(frame)))
                    .addListener(f -> inFlight.decrementAndGet());
        }
    }

    private void subscribe(Channel channel) {
        if (subscribers.size() >= limits.maxSubscribers()) {
            log.warn(
                    "event=sse-reject peer={} reason=too-many-subscribers limit={}",
                    channel.remoteAddress(),
                    limits.maxSubscribers());
            refuse(channel, 503, "too many event subscribers (limit " + limits.maxSubscribers() + ")");
            return;
        }
        String address = addressOf(channel);
        long fromThere =
                subscribers.stream().filter(s -> s.address.equals(address)).count();
        if (fromThere >= limits.maxPerAddress()) {
            refusedPerAddress.incrementAndGet();
            log.warn(
                    "event=sse-reject peer={} reason=too-many-subscribers-from-address limit={}",
                    channel.remoteAddress(),
                    limits.maxPerAddress());
            refuse(
                    channel,
                    429,
                    "too many event streams from " + address + " (limit " + limits.maxPerAddress() + " per address)");
            return;
        }
        // a stream is idle between events and must not be compressed into blocks: take those handlers out
        for (Map.Entry<String, ChannelHandler> e : channel.pipeline().toMap().entrySet()) {
            if (e.getValue() instanceof IdleStateHandler || e.getValue() instanceof HttpContentEncoder) {
                channel.pipeline().remove(e.getValue());
            }
        }
        Subscriber s = new Subscriber(channel);
        subscribers.add(s);
        watching.incrementAndGet();
        channel.closeFuture().addListener(f -> executor.execute(() -> forget(s)));
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setTransferEncodingChunked(head, true);
        channel.write(head);
        s.write(("retry: " + RETRY_MS + "\n\n").getBytes(StandardCharsets.US_ASCII));
        log.info("event=sse-subscribe peer={} subscribers={}", channel.remoteAddress(), subscribers.size());
        snapshot.get()
                .whenComplete((snap, err) -> executor.execute(() -> {
                    if (s.gone) return;
                    if (err != null) {
                        log.warn(
                                "event=sse-snapshot-failed peer={} reason={}", channel.remoteAddress(), err.toString());
                        s.channel.close();
                        return;
                    }
                    s.write(frame("snapshot", snap));
                    s.ready = true;
                    while (!s.backlog.isEmpty() && !s.gone) s.write(s.backlog.poll());
                }));
    }

    /** One JSON error answer, then close. */
    private static void refuse(Channel channel, int status, String reason) {
        var r = HttpJsonServer.Response.error(status, reason);
        var resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        resp.headers().set(HttpHeaderNames.CONNECTION, "close");
        channel.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    /** The subscriber's IP address (without the port), the unit of the per-address cap. */
    private static String addressOf(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress()
                : String.valueOf(channel.remoteAddress());
    }

    private void forget(Subscriber s) {
        if (s.gone) return;
        s.gone = true;
        s.backlog.clear();
        subscribers.remove(s);
        watching.decrementAndGet();
        log.info("event=sse-unsubscribe peer={} subscribers={}", s.channel.remoteAddress(), subscribers.size());
    }

    private void drop(Subscriber s, String reason) {
        dropped.incrementAndGet();
        log.warn(
                "event=sse-drop peer={} reason={} queued={} limit={}",
                s.channel.remoteAddress(),
                reason,
                Math.max(s.inFlight.get(), s.backlog.size()),
                limits.subscriberQueue());
        forget(s);
        s.channel.close();
    }

    private void drain() {
        drainScheduled.set(false);
        Pending p;
        while ((p = intake.poll()) != null) {
            if (subscribers.isEmpty()) continue;
            byte[] f;
            try {
                f = frame(p.type(), p.body().get());
            } catch (RuntimeException e) {
                log.error("event=sse-event-failed type={} reason={}", p.type(), e.toString(), e);
                continue;
            }
            for (Subscriber s : List.copyOf(subscribers)) s.send(f);
        }
        if (overflowed.getAndSet(false)) {
            resyncs.incrementAndGet();
            log.warn(
                    "event=sse-resync reason=intake-overflow limit={} subscribers={}",
                    limits.intake(),
                    subscribers.size());
            for (Subscriber s : List.copyOf(subscribers)) {
                forget(s);
                s.channel.close();
            }
        }
    }

    private void heartbeat() {
        byte[] ping = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
        for (Subscriber s : List.copyOf(subscribers)) if (s.ready) s.write(ping);
    }

    private byte[] frame(String type, Object body) {
        long id = ++seq;
        try {
            String json = MAPPER.writeValueAsString(body);
            return ("id: " + id + "\nevent: " + type + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise event " + type + ": " + e.getMessage(), e);
        }
    }
}
