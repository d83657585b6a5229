package io.egoist.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 JSON server on Netty: a route table of (method, path) to handler. Handlers return a
 * {@link Response} (JSON via Jackson, or plain text e.g. for Prometheus), possibly later (a
 * {@link CompletionStage}), so they can wait for a core's answer without blocking the I/O thread.
 *
 * <p>Errors are JSON {@code {"error": "..."}}: 404 for an unknown path, 405 (with Allow) for a known path
 * and another method, 400 when a handler throws {@link IllegalArgumentException} or {@link HttpError} with
 * 400, 400 for a request URI that cannot be decoded (e.g. bad percent-encoding) or a malformed request, 413 for
 * a body over {@link #MAX_BODY} bytes, 500 for anything else (logged). Bad input is always answered, never a
 * silent close. Bounded: at most {@link #maxConnections} open connections (one more gets 503 and is closed), and
 * a connection idle for {@link #idleTimeoutMs} is closed. Binds to the host given
 * to {@link #listen} (callers default to 127.0.0.1).
 */
public final class HttpJsonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpJsonServer.class);

    public static final int MAX_BODY = 1 << 20;
    public static final String JSON = "application/json; charset=utf-8";
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** One request, with its body aggregated. */
    public record Request(
            String method, String path, Map<String, List<String>> query, byte[] body, Map<String, String> headers) {
        /** The first value of a query parameter, or null. */
        public String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        /** A query parameter that must be present and non-empty, else 400. */
        public String requireParam(String name) {
            String v = param(name);
            if (v == null || v.isEmpty()) throw new HttpError(400, "missing query parameter '" + name + "'");
            return v;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The client's IP address (from the socket, not from any header), or null when unknown. */
        public String remoteAddress() {
            return headers.get(REMOTE_ADDRESS);
        }
    }

    /**
     * Key under which {@link Request#headers()} holds the client's IP address as the socket reports it. It starts
     * with ':' so no header a client sends can have this name.
     */
    public static final String REMOTE_ADDRESS = ":remote-address";

    /** A response: status, content type, bytes and extra headers (e.g. ETag, Content-Encoding). */
    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        public Response {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        public Response(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        /** This response with one more header. */
        public Response withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Response(status, contentType, body, h);
        }

        public static Response json(int status, Object value) {
            try {
                byte[] b = MAPPER.writeValueAsBytes(value);
                byte[] withNl = java.util.Arrays.copyOf(b, b.length + 1);
                withNl[b.length] = '\n';
                return new Response(status, JSON, withNl);
            } catch (Exception e) {
                throw new IllegalStateException("cannot serialise response: " + e.getMessage(), e);
            }
        }

        public static Response json(Object value) {
            return json(200, value);
        }

        public static Response text(int status, String contentType, String text) {
            return new Response(status, contentType, text.getBytes(StandardCharsets.UTF_8));
        }

        public static Response error(int status, String message) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", message);
            m.put("status", status);
            return json(status, m);
        }
    }

    /** Thrown by a handler to answer with this status and a JSON error. */
    public static final class HttpError extends RuntimeException {
        private final int status;

        public HttpError(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    @FunctionalInterface
    public interface Handler {
        CompletionStage<Response> handle(Request request) throws Exception;
    }

    /**
     * A GET route that takes over its connection (e.g. a server-sent event stream): it writes its own
     * response head and content to {@code channel} and closes it when done.
     */
    @FunctionalInterface
    public interface StreamHandler {
        void open(Request request, io.netty.channel.Channel channel);
    }

    @FunctionalInterface
    public interface SyncHandler {
        Response handle(Request request) throws Exception;
    }

    /** Default cap on open connections: one more gets 503 and is closed. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Default idle timeout: a connection with no request and no output progress this long is closed. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

    private final EventLoopGroup ownGroup;
    private final EventLoopGroup group;
    private volatile int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private volatile long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong idleCloses = new AtomicLong();
    private final Map<String, Map<String, Handler>> routes = new LinkedHashMap<>(); // path -> method -> handler
    /** Runs before every route, streams included; throws {@link HttpError} to refuse the request. */
    private volatile java.util.function.Consumer<Request> guard = request -> {};

    private final ChannelGroup channels = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    /** Large bodies served repeatedly: one direct copy each, shared by the responses (see {@link SharedBodies}). */
    private final SharedBodies bodies = new SharedBodies();

    /** @param group loops to run on, or null for an own one-thread group (shut down by {@link #close()}) */
    public HttpJsonServer(EventLoopGroup group) {
        this.ownGroup = group == null ? Netty.newGroup(1, "http") : null;
        this.group = group == null ? ownGroup : group;
    }

    public HttpJsonServer() {
        this(null);
    }

    /**
     * At most {@code max} open connections (default {@value #DEFAULT_MAX_CONNECTIONS}); one more is answered
     * {@code 503} with a JSON error and closed. Set before {@link #listen}.
     */
    public HttpJsonServer maxConnections(int max) {
        if (max < 1) throw new IllegalArgumentException("max connections must be at least 1, not " + max);
        maxConnections = max;
        return this;
    }

    /**
     * Closes a connection that sent no request and made no output progress for {@code ms} (default
     * {@value #DEFAULT_IDLE_TIMEOUT_MS}); a slow reader that keeps reading a long response is not idle. Set before
     * {@link #listen}.
     */
    public HttpJsonServer idleTimeoutMs(long ms) {
        if (ms < 1) throw new IllegalArgumentException("idle timeout must be positive, not " + ms);
        idleTimeoutMs = ms;
        return this;
    }

    /** Open connections now; refused by the cap so far; closed as idle so far. */
    public long[] connectionCounts() {
        return new long[] {open.get(), refused.get(), idleCloses.get()};
    }

    /** Adds an asynchronous route; register routes before {@link #listen}. */
    /**
     * Checks every request before its route (e.g. the node's Host/Origin/token rules), so that no route, stream
     * or static file added later can forget them; a check refuses by throwing {@link HttpError}.
     */
    public HttpJsonServer guard(java.util.function.Consumer<Request> check) {
        this.guard = check;
        return this;
    }

    public synchronized HttpJsonServer route(String method, String path, Handler handler) {
        routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method.toUpperCase(), handler);
        return this;
    }

    /** Adds a streaming GET route (see {@link StreamHandler}); register before {@link #listen}. */
    public HttpJsonServer stream(String path, StreamHandler handler) {
        return route("GET", path, new StreamRoute(handler));
    }

    /** A route table entry for a {@link StreamHandler}: the request handler hands it the connection. */
    private record StreamRoute(StreamHandler handler) implements Handler {
        @Override
        public CompletionStage<Response> handle(Request request) {
            throw new IllegalStateException("a stream route is opened, not called");
        }
    }

    /** Adds a route whose handler answers at once. */
    public HttpJsonServer routeSync(String method, String path, SyncHandler handler) {
        return route(method, path, req -> CompletableFuture.completedFuture(handler.handle(req)));
    }

    /** Binds ({@code port} 0 = ephemeral) and returns the bound port; blocks until bound. */
    public int listen(String host, int port) {
        ServerBootstrap sb = new ServerBootstrap()
                .group(group, group)
                .channel(Netty.serverChannel(group))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int n = open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        if (n > maxConnections) {
                            refuse(ch, n - 1);
                            return;
                        }
                        channels.add(ch);
                        ch.pipeline().addLast(new IdleStateHandler(true, 0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(MAX_BODY));
                        ch.pipeline().addLast(new RequestHandler());
                    }
                });
        ChannelFuture f = sb.bind(host, port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + ": " + f.cause().getMessage(), f.cause());
        }
        channels.add(f.channel());
        return ((InetSocketAddress) f.channel().localAddress()).getPort();
    }

    /** Over the cap: a 503 without reading the request, then close. */
    private void refuse(SocketChannel ch, int openNow) {
        refused.incrementAndGet();
        log.debug("event=http_refused peer={} open={} max={}", ch.remoteAddress(), openNow, maxConnections);
        Response r = Response.error(503, "too many HTTP connections (" + maxConnections + ")");
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.pipeline().addLast(new HttpResponseEncoder());
        ch.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void close() {
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (ownGroup != null) Netty.shutdown(ownGroup);
        bodies.clear();
    }

    private synchronized Map<String, Handler> methodsFor(String path) {
        Map<String, Handler> m = routes.get(path);
        int slash = path.lastIndexOf('/');
        if (m == null && slash > 0) m = routes.get(path.substring(0, slash + 1) + "*"); // a route "/a/*": one segment
        return m == null ? null : new LinkedHashMap<>(m);
    }

    private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                respond(ctx, Response.error(400, "malformed HTTP request"), false);
                return;
            }
            QueryStringDecoder qs = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
            String path;
            Map<String, List<String>> params;
            try { // the decoder is lazy: bad percent-encoding surfaces here
                path = qs.path();
                params = qs.parameters();
            } catch (IllegalArgumentException e) {
                respond(ctx, Response.error(400, "bad request URI: " + e.getMessage()), keepAlive);
                return;
            }
            String method = req.method().name();
            Map<String, Handler> methods = methodsFor(path);
            if (methods == null) {
                respond(ctx, Response.error(404, "no such resource: " + path), keepAlive);
                return;
            }
            Handler h = methods.get(method);
            if (h == null) {
                Response r = Response.error(
                        405,
                        "method " + method + " not allowed on " + path + " (allowed: "
                                + String.join(", ", new TreeSet<>(methods.keySet())) + ")");
                respond(ctx, r, keepAlive, String.join(", ", new TreeSet<>(methods.keySet())));
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            req.headers().forEach(e -> headers.putIfAbsent(e.getKey().toLowerCase(), e.getValue()));
            if (ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress remote
                    && remote.getAddress() != null) {
                headers.put(REMOTE_ADDRESS, remote.getAddress().getHostAddress());
            }
            Request request = new Request(method, path, params, ByteBufUtil.getBytes(req.content()), headers);
            try {
                guard.accept(request);
            } catch (HttpError e) {
                respond(ctx, Response.error(e.status(), e.getMessage()), keepAlive);
                return;
            }
            if (h instanceof StreamRoute sr) {
                sr.handler().open(request, ctx.channel());
                return;
            }
            CompletionStage<Response> stage;
            try {
                stage = h.handle(request);
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            stage.whenComplete((resp, err) -> respond(ctx, err == null ? resp : toError(request, err), keepAlive));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                idleCloses.incrementAndGet();
                log.debug("event=http_idle_close peer={}", ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("event=http_conn_error peer={} reason={}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private static Response toError(Request req, Throwable err) {
        Throwable t = err;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpError he) return Response.error(he.status(), he.getMessage());
        if (t instanceof IllegalArgumentException) return Response.error(400, String.valueOf(t.getMessage()));
        log.error("event=http_handler_failed method={} path={} reason={}", req.method(), req.path(), t.toString(), t);
        return Response.error(500, "internal error: " + t);
    }

    private void respond(ChannelHandlerContext ctx, Response r, boolean keepAlive) {
        respond(ctx, r, keepAlive, null);
    }

    private void respond(ChannelHandlerContext ctx, Response r, boolean keepAlive, String allow) {
        if (r == null) r = Response.error(500, "handler returned no response");
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), bodies.body(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        if (allow != null) resp.headers().set(HttpHeaderNames.ALLOW, allow);
        r.headers().forEach((k, v) -> resp.headers().set(k, v));
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(resp);
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
