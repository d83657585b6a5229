package io.egoist.tunnel;

import io.egoist.core.ConnId;
import io.egoist.node.routing.RouteMode;
import io.egoist.runtime.BinaryFrame;
import io.egoist.runtime.FrameSplitter;
import io.egoist.wire.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's tunnel plane: it forwards binary frames by destination over the node's out-links (a forwarding table
 * the runtime derives from the core's routing view, refreshed every {@link #REFRESH_MS} ms, so no frame enters
 * the core), delivers frames addressed to this node to its forwards and exposed services, and holds the
 * forwards. Everything runs on the node's event loop; public methods may be called from any thread.
 *
 * <p>Congestion: a next hop whose connection is over its write high-water mark is congested. A UDP frame for it
 * is dropped and counted; any other frame is written and the connection it came from stops being read until
 * the next hop drains (a slow hop slows its senders). TCP streams also keep an end-to-end window, so what a
 * relay holds for a stream is bounded by that window.
 */
public final class TunnelNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TunnelNode.class);

    /** How often the forwarding table is taken from the routing view. */
    public static final long REFRESH_MS = 200;

    /**
     * A link's send queue (bytes written, not yet taken by the kernel) above which it counts as congested: UDP
     * frames for it are dropped, stream senders and relayed connections wait; it is uncongested again below the
     * low mark.
     */
    public static final int LINK_QUEUE_HIGH = 512 * 1024;

    public static final int LINK_QUEUE_LOW = 128 * 1024;

    /** What the tunnel plane needs from its node. */
    public interface Links {
        /** The next-hop connections per destination, best routes for {@code bestDestinations} (on the core's loop). */
        CompletableFuture<ForwardingTable.Tables> tables(Set<NodeId> bestDestinations);

        /** The channel of one of the node's open connections, or null (loop thread). */
        Channel channel(ConnId c);
    }

    /** One end of a session or stream on this node, keyed by the other end's node and the flow id. */
    interface Flow {
        void onFrame(Frames.Header h);

        void close(String reason);

        /** Bytes this end holds for its application (unwritten to its socket). */
        default long held() {
            return 0;
        }
    }

    record FlowKey(NodeId peer, long flow) {}

    /** Outcome of {@link #send}. */
    enum Sent {
        OK,
        CONGESTED,
        NO_ROUTE
    }

    final NodeId self;
    final EventLoop loop;
    final TunnelLimits limits;
    private final Links links;
    private final Map<String, Service> exposed = new LinkedHashMap<>();
    private volatile Map<NodeId, ConnId> table = Map.of();
    /** First hops of best routes, for the destinations this node originates frames to in mode best. */
    private volatile Map<NodeId, ConnId> bestTable = Map.of();
    /** The same table keyed by {@link Frames#key}: a relay looks a frame's destination up without parsing it. */
    private volatile Map<Long, ConnId> tableByKey = Map.of();

    private final long selfKey;
    /** Ids of the addresses frames came from or went to ({@link Frames#key} to id), at most {@link #MAX_IDS}. */
    private final Map<Long, NodeId> ids = new HashMap<>();

    private static final int MAX_IDS = 4_096;
    private final Map<FlowKey, Flow> flows = new HashMap<>();
    private final ServiceChecks checks = new ServiceChecks(this);
    /** Writes, flushed once per burst; congestion of links. */
    final LinkWrites out;

    private final Map<Long, Forward> forwards = new LinkedHashMap<>();
    private final AtomicLong nextForwardId = new AtomicLong(1);
    private ScheduledFuture<?> refresh;
    private static final long IDLE_NANOS = 10_000_000_000L;
    /** While idle the table is taken every 25 ticks (5 s) instead of every tick. */
    static final int IDLE_REFRESH_TICKS = 25;

    private int idleTicks; // loop thread
    private volatile boolean refreshing;
    private long lastFrameNanos = System.nanoTime();
    private boolean closed;
    private volatile boolean frozen;
    int exitUdpSessions;
    int tcpStreams;
    /** Bytes this node's receiving stream ends handed to their applications and not yet written (loop thread). */
    private long streamBytesWaiting;
    /** Stream bytes dropped on arrival because {@link #streamBytesWaiting} was at the node's budget. */
    final AtomicLong streamBytesOverBudget = new AtomicLong();

    final AtomicLong relayed = new AtomicLong(),
            relayedBytes = new AtomicLong(),
            droppedCongested = new AtomicLong(),
            droppedNoRoute = new AtomicLong(),
            malformed = new AtomicLong(),
            refusedIn = new AtomicLong();
    /** Stream bytes sent again by this node's stream ends at services (re-sends of its forwards count there). */
    final AtomicLong streamBytesResent = new AtomicLong();

    public TunnelNode(NodeId self, EventLoop loop, Links links, List<Service> services, TunnelLimits limits) {
        this.self = self;
        this.loop = loop;
        this.links = links;
        this.limits = limits;
        this.selfKey = Frames.key(self);
        this.out = new LinkWrites(loop);
        for (Service s : services) {
            if (exposed.putIfAbsent(s.name(), s) != null)
                throw new IllegalArgumentException("service '" + s.name() + "' exposed twice");
        }
        refresh = loop.scheduleAtFixedRate(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
        loop.scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    public List<Service> exposed() {
        return List.copyOf(exposed.values());
    }

    /**
     * Refreshes the table every {@link #REFRESH_MS} while the plane is in use (forwards, flows, or a frame in the last
     * 10 s), and every {@link #IDLE_REFRESH_TICKS} ticks while idle, so a relay's first frames and a new forward
     * find a table at most a few seconds old.
     */
    private void refresh() {
        if (closed) return;
        boolean idle = forwards.isEmpty() && flows.isEmpty() && System.nanoTime() - lastFrameNanos > IDLE_NANOS;
        if (idle && ++idleTicks < IDLE_REFRESH_TICKS) return;
        idleTicks = 0;
        refreshSoon();
    }

    /** Takes the table now (once at a time): also when a frame found no route in a table that may be stale. */
    void refreshSoon() {
        if (refreshing || closed) return;
        refreshing = true;
        links.tables(bestDestinations()).whenComplete((t, err) -> {
            refreshing = false;
            if (t != null) setTable(t);
        });
    }

    /** True when the current forwarding table has a next hop for {@code dst}. */
    public boolean hasRoute(NodeId dst) {
        return table.containsKey(dst);
    }

    /** Takes a fresh forwarding table now (tests; route changes). */
    public CompletableFuture<Void> refreshNow() {
        return CompletableFuture.supplyAsync(this::bestDestinations, loop)
                .thenCompose(links::tables)
                .thenAccept(t -> {
                    setTable(t);
                    lastFrameNanos = System.nanoTime(); // asked for: keep it fresh for a while
                });
    }

    /** Where this node originates frames in mode best: its best-mode forwards' and flows' far ends (loop thread). */
    private Set<NodeId> bestDestinations() {
        Set<NodeId> d = new HashSet<>();
        for (Forward f : forwards.values()) if (f.spec.mode() == RouteMode.BEST) d.add(f.spec.to());
        for (FlowKey k : flows.keySet()) if (FlowModes.best(k.flow())) d.add(k.peer());
        return d;
    }

    private void setTable(ForwardingTable.Tables tables) {
        Map<NodeId, ConnId> t = tables.overlay();
        bestTable = tables.best();
        Map<Long, ConnId> byKey = new HashMap<>();
        for (Map.Entry<NodeId, ConnId> e : t.entrySet()) byKey.put(Frames.key(e.getKey()), e.getValue());
        tableByKey = byKey;
        table = t;
    }

    /** The id of an address key, cached (loop thread). */
    private NodeId idOf(long key) {
        NodeId id = ids.get(key);
        if (id == null) {
            if (ids.size() >= MAX_IDS) ids.clear();
            id = Frames.id(key);
            ids.put(key, id);
        }
        return id;
    }

    private void sweep() {
        if (closed) return;
        long now = System.nanoTime();
        for (Forward f : forwards.values()) f.sweep(now);
        for (Flow f : new ArrayList<>(flows.values())) if (f instanceof UdpExit u) u.sweep(now);
    }

    // ------------------------------------------------------------------ frames out

    /** The channel towards {@code dst}, or null when there is no route over a peer that carries frames. */
    Channel outTo(NodeId dst) {
        return outOn(table.get(dst));
    }

    /** The same for a frame this node originates in {@code flow}: its mode's table first ({@link FlowModes}). */
    Channel outTo(NodeId dst, long flow) {
        Channel ch = FlowModes.best(flow) ? outOn(bestTable.get(dst)) : null;
        return ch != null ? ch : outOn(table.get(dst));
    }

    /** The channel of the next-hop connection {@code c} (null: none) once it is set up for tunnel frames. */
    private Channel outOn(ConnId c) {
        Channel ch = c == null ? null : links.channel(c);
        if (ch == null || !ch.isActive()) return null;
        out.watch(ch);
        return ch;
    }

    /** Sends a whole frame towards {@code dst}; {@code udp}: dropped when the next hop is congested. Releases on failure. */
    Sent send(ByteBuf frame, NodeId dst, boolean udp) {
        Channel ch = outTo(dst, FlowModes.flowOf(frame));
        if (ch == null) {
            refreshSoon();
            frame.release();
            droppedNoRoute.incrementAndGet();
            return Sent.NO_ROUTE;
        }
        if (udp && out.congested(ch)) {
            frame.release();
            droppedCongested.incrementAndGet();
            return Sent.CONGESTED;
        }
        out.write(ch, frame);
        return Sent.OK;
    }

    /** A small control frame towards {@code dst} (ACCEPT, REFUSE, ACK, CLOSE...). */
    Sent control(int kind, NodeId dst, long flow, long seq, String text) {
        return control(kind, dst, flow, seq, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A small control frame with a binary payload (a stream's ACK). */
    Sent control(int kind, NodeId dst, long flow, long seq, byte[] payload) {
        Channel ch = outTo(dst, flow);
        if (ch == null) {
            refreshSoon();
            droppedNoRoute.incrementAndGet();
            return Sent.NO_ROUTE;
        }
        out.write(ch, Frames.small(ch.alloc(), kind, dst, self, flow, seq, payload));
        return Sent.OK;
    }

    // ------------------------------------------------------------------ frames in

    /** A frame from the accepted connection {@code in} (loop thread): deliver it here or forward it. */
    public void onFrame(Channel in, BinaryFrame f) {
        ByteBuf frame = f.frame();
        lastFrameNanos = System.nanoTime();
        try {
            if (closed || frozen) return;
            int b = frame.readerIndex() + FrameSplitter.PREFIX; // the body
            long dst = frame.readableBytes() < FrameSplitter.PREFIX + Frames.HEADER ? -1 : Frames.key(frame, b + 3);
            if (dst < 0 || frame.getUnsignedByte(b) != Frames.VERSION) {
                malformed.incrementAndGet();
                return;
            }
            if (dst != selfKey) {
                relay(in, frame.retain(), b, dst);
                return;
            }
            Frames.Header h = Frames.parse(f.body(), this::idOf);
            if (h == null) {
                malformed.incrementAndGet();
                return;
            }
            deliver(h);
        } finally {
            frame.release();
        }
    }

    /**
     * Forwards a whole frame (marker, length, body at {@code b}) as it arrived: only the TTL changes, in place, so
     * nothing is allocated or copied per frame.
     */
    private void relay(Channel in, ByteBuf frame, int b, long dst) {
        int ttl = frame.getUnsignedByte(b + 2), kind = frame.getUnsignedByte(b + 1);
        Channel next = ttl <= 1 ? null : outOn(tableByKey.get(dst));
        if (next == null) {
            if (ttl > 1) refreshSoon();
            frame.release();
            droppedNoRoute.incrementAndGet();
            return;
        }
        if (kind == Frames.UDP && out.congested(next)) {
            frame.release();
            droppedCongested.incrementAndGet();
            return;
        }
        frame.setByte(b + 2, ttl - 1);
        relayed.incrementAndGet();
        relayedBytes.addAndGet(frame.readableBytes() - FrameSplitter.PREFIX);
        out.write(next, frame);
        if (in.config().isAutoRead() && out.congested(next)) { // backpressure: stop reading the sender
            in.config().setAutoRead(false);
            out.whenWritable(next, () -> in.config().setAutoRead(true));
        }
    }

    private void deliver(Frames.Header h) {
        FlowKey key = new FlowKey(h.src(), h.flow());
        switch (h.kind()) {
            case Frames.CHECK -> {
                String what = Frames.text(h.payload());
                String why = refusal(what);
                if (why != null) refuse(h, why);
                else control(Frames.ACCEPT, h.src(), h.flow(), 0, "");
            }
            case Frames.ACCEPT, Frames.REFUSE -> {
                if (checks.answer(h.flow(), h.kind() == Frames.ACCEPT ? null : Frames.text(h.payload()))) return;
                Flow fl = flows.get(key);
                if (fl != null) fl.onFrame(h);
            }
            case Frames.OPEN -> {
                if (flows.get(key) instanceof TcpStream again) { // a repeated OPEN: our ACCEPT was lost
                    again.onFrame(h);
                    return;
                }
                String name = Frames.text(h.payload());
                String why = refusal("tcp:" + name);
                if (why == null && tcpStreams >= limits.tcpStreams())
                    why = "busy: too many TCP streams at the destination";
                if (why == null && flows.containsKey(key)) why = "flow in use";
                if (why != null) {
                    refuse(h, why);
                    return;
                }
                TcpStream.exit(this, key, exposed.get(name));
            }
            case Frames.UDP -> {
                Flow fl = flows.get(key);
                if (fl != null) {
                    fl.onFrame(h);
                    return;
                }
                UdpExit.open(this, key, h);
            }
            default -> {
                Flow fl = flows.get(key);
                if (fl != null) fl.onFrame(h);
                else if (h.kind() != Frames.DATA && h.kind() != Frames.ACK && h.kind() != Frames.CLOSE)
                    malformed.incrementAndGet();
                else if (h.kind() != Frames.CLOSE || !h.payload().isReadable()) // a CLOSE with a reason: never answered
                control(Frames.CLOSE, h.src(), h.flow(), 0, "no such stream");
            }
        }
    }

    /** Why {@code what} ("udp:NAME" / "tcp:NAME") is not served here, or null when it is. */
    String refusal(String what) {
        int colon = what.indexOf(':');
        String proto = colon < 0 ? "" : what.substring(0, colon), name = what.substring(colon + 1);
        Service s = exposed.get(name);
        if (s == null) return "no service '" + name + "' is exposed at " + self;
        if (!s.proto().label().equals(proto))
            return "service '" + name + "' at " + self + " is " + s.proto().label() + ", not " + proto;
        return null;
    }

    void refuse(Frames.Header h, String why) {
        refusedIn.incrementAndGet();
        log.info("event=tunnel_refused node={} from={} flow={} reason=\"{}\"", self, h.src(), h.flow(), why);
        control(Frames.REFUSE, h.src(), h.flow(), 0, why);
    }

    void addFlow(FlowKey k, Flow f) {
        flows.put(k, f);
    }

    void removeFlow(FlowKey k, Flow f) {
        flows.remove(k, f);
    }

    /** The flows this node holds (tests). */
    CompletableFuture<List<FlowKey>> flowKeys() {
        CompletableFuture<List<FlowKey>> r = new CompletableFuture<>();
        loop.execute(() -> r.complete(List.copyOf(flows.keySet())));
        return r;
    }

    /** Asks {@code to} whether it serves {@code proto:name}: completes with null (yes) or the reason (no). */
    CompletableFuture<String> check(NodeId to, Service.Proto proto, String name, RouteMode mode) {
        // no usable next hop in a table that may be stale (an idle node takes it every few seconds): take it first
        if (outTo(to) == null) return refreshNow().thenComposeAsync(v -> checks.ask(to, proto, name, mode), loop);
        return checks.ask(to, proto, name, mode);
    }

    // ------------------------------------------------------------------ forwards (any thread)

    /** Adds a forward after asking the destination; fails with {@link TunnelException} and the reason. */
    public CompletableFuture<Forward.Info> addForward(Forward.Spec spec) {
        CompletableFuture<Forward.Info> r = new CompletableFuture<>();
        loop.execute(() -> {
            if (closed) r.completeExceptionally(new TunnelException(503, "node closed"));
            else if (forwards.size() >= limits.maxForwards())
                r.completeExceptionally(new TunnelException(
                        429, "too many forwards: the maximum is " + limits.maxForwards() + " per node"));
            else if (spec.to().equals(self))
                r.completeExceptionally(new TunnelException(400, "cannot forward to the node itself"));
            else
                check(spec.to(), spec.listen().proto(), spec.service(), spec.mode())
                        .whenCompleteAsync(
                                (why, err) -> {
                                    if (why != null) {
                                        r.completeExceptionally(new TunnelException(404, why));
                                        return;
                                    }
                                    Forward f; // binds its socket: blocks, so not on the loop
                                    try {
                                        f = Forward.open(this, nextForwardId.getAndIncrement(), spec);
                                    } catch (RuntimeException e) {
                                        r.completeExceptionally(new TunnelException(409, e.getMessage()));
                                        return;
                                    }
                                    loop.execute(() -> {
                                        if (closed) {
                                            f.close();
                                            r.completeExceptionally(new TunnelException(503, "node closed"));
                                            return;
                                        }
                                        forwards.put(f.id, f);
                                        log.info("event=forward_added node={} id={} spec=\"{}\"", self, f.id, spec);
                                        r.complete(f.info());
                                    });
                                },
                                ForkJoinPool.commonPool());
        });
        return r;
    }

    public CompletableFuture<List<Forward.Info>> forwards() {
        CompletableFuture<List<Forward.Info>> r = new CompletableFuture<>();
        loop.execute(() -> {
            List<Forward.Info> l = new ArrayList<>();
            for (Forward f : forwards.values()) l.add(f.info());
            r.complete(l);
        });
        return r;
    }

    /** Removes a forward; completes with false when there was none with that id. */
    public CompletableFuture<Boolean> removeForward(long id) {
        CompletableFuture<Boolean> r = new CompletableFuture<>();
        loop.execute(() -> {
            Forward f = forwards.remove(id);
            if (f != null) {
                f.close();
                log.info("event=forward_removed node={} id={}", self, id);
            }
            r.complete(f != null);
        });
        return r;
    }

    /**
     * Bytes held on this node for tunnels: unwritten output of the streams' application connections plus unwritten
     * output of every open link that carried frames (overlay links and direct links of best routes).
     */
    public CompletableFuture<Long> heldBytes() {
        CompletableFuture<Long> r = new CompletableFuture<>();
        loop.execute(() -> {
            long sum = 0;
            for (Flow f : flows.values()) sum += f.held();
            r.complete(sum + out.held());
        });
        return r;
    }

    /** Whether a receiving stream may hand {@code bytes} more to its application within the node's budget. */
    boolean mayHold(int bytes) {
        return streamBytesWaiting + bytes <= limits.streamBufferBytes();
    }

    /** Counts bytes handed to an application (positive) or written by it (negative). */
    void hold(long bytes) {
        streamBytesWaiting += bytes;
    }

    /** Stream bytes handed to this node's applications and not yet written ({@link #streamBytesWaiting}). */
    public CompletableFuture<Long> streamBytesWaiting() {
        return CompletableFuture.supplyAsync(() -> streamBytesWaiting, loop);
    }

    /** The forward with this id, or null (loop thread; tests). */
    Forward forward(long id) {
        return forwards.get(id);
    }

    /**
     * Counters of the plane: frames relayed, bytes, dropped (congested, no route), malformed, refused, and stream
     * bytes dropped at this node's budget ({@link TunnelLimits#streamBufferBytes}).
     */
    public long[] counters() {
        return new long[] {
            relayed.get(),
            relayedBytes.get(),
            droppedCongested.get(),
            droppedNoRoute.get(),
            malformed.get(),
            refusedIn.get(),
            streamBytesOverBudget.get()
        };
    }

    /**
     * Emulates a hung node's tunnel plane (with {@code EgoistNode.freeze()}): every frame that arrives from now on
     * is dropped, nothing is relayed or delivered; the sockets stay open. For the crash benchmark.
     */
    public void freeze() {
        frozen = true;
    }

    @Override
    public void close() {
        Runnable r = () -> {
            if (closed) return;
            closed = true;
            if (refresh != null) refresh.cancel(false);
            for (Forward f : forwards.values()) f.close();
            forwards.clear();
            for (Flow f : new ArrayList<>(flows.values())) f.close("node closed");
            flows.clear();
        };
        if (loop.inEventLoop()) r.run();
        else {
            try {
                loop.submit(r).awaitUninterruptibly(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closed = true;
            }
        }
    }
}
