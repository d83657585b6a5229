package io.egoist.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Small helpers around Netty's event loop groups and channel types, so every adapter creates them the same way.
 *
 * <p>The process-wide transport is NIO; Linux's native epoll is there with the system property {@code
 * egoist.transport=epoll} (used where it loads). A group made with {@code preferNative} (the tracker's line port,
 * and the nodes' loops, see {@link #newGroup(int, String, boolean)}) uses epoll where it loads unless {@code
 * egoist.transport=nio}.
 * Channels must fit their loop's transport: {@link #serverChannel(EventLoopGroup)} and {@link
 * #clientChannel(EventLoopGroup)} pick the type from the group; the no-argument forms fit groups made without
 * {@code preferNative}.
 */
public final class Netty {
    private Netty() {}

    private static final boolean EPOLL =
            "epoll".equalsIgnoreCase(System.getProperty("egoist.transport", "")) && Epoll.isAvailable();

    /** "epoll" or "nio": the transport this process uses. */
    public static String transport() {
        return EPOLL ? "epoll" : "nio";
    }

    /** A event loop group with {@code threads} daemon threads named {@code name-N-M}. */
    public static EventLoopGroup newGroup(int threads, String name) {
        return newGroup(threads, name, false);
    }

    /**
     * As {@link #newGroup(int, String)}; with {@code preferNative} the group uses epoll where it loads (unless
     * {@code egoist.transport=nio} is set) and NIO elsewhere. Used by the tracker's line port, where a connection
     * lives for one line: epoll spares the JDK's per-connection set-up and close (blocking-mode {@code fcntl}s,
     * local address, {@code SO_LINGER}, deferred close). Channels for such a group come from
     * {@link #serverChannel(EventLoopGroup)} and {@link #clientChannel(EventLoopGroup)}.
     */
    public static EventLoopGroup newGroup(int threads, String name, boolean preferNative) {
        boolean epoll = useEpoll(preferNative, System.getProperty("egoist.transport", ""), Epoll.isAvailable());
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    /**
     * The transport rule: epoll when the property asks for it or native is preferred and the property does not
     * ask for NIO, and only where epoll loads; NIO otherwise.
     */
    static boolean useEpoll(boolean preferNative, String property, boolean epollAvailable) {
        if (!epollAvailable || "nio".equalsIgnoreCase(property)) return false;
        return preferNative || "epoll".equalsIgnoreCase(property);
    }

    /** True when the group's loops run epoll (their channels must be epoll channels). */
    public static boolean isEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    }

    /** The listening channel type that fits this group's loops. */
    public static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client channel type that fits this group's loops. */
    public static Class<? extends SocketChannel> clientChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The listening channel type that fits {@link #newGroup}'s loops. */
    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client channel type that fits {@link #newGroup}'s loops. */
    public static Class<? extends SocketChannel> clientChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The UDP channel type that fits this group's loops. */
    public static Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannel(EventLoopGroup group) {
        return isEpoll(group)
                ? io.netty.channel.epoll.EpollDatagramChannel.class
                : io.netty.channel.socket.nio.NioDatagramChannel.class;
    }

    /** The UDP channel type that fits {@link #newGroup}'s loops. */
    public static Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannel() {
        return EPOLL
                ? io.netty.channel.epoll.EpollDatagramChannel.class
                : io.netty.channel.socket.nio.NioDatagramChannel.class;
    }

    /** Shuts a group down without a quiet period and waits (bounded) until its threads have ended. */
    public static void shutdown(EventLoopGroup group) {
        if (group == null) return;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
