package io.egoist.runtime;

import io.netty.channel.EventLoopGroup;
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
 * <p>The transport is NIO. Linux's native epoll is there for side-by-side measurements with the system property
 * {@code egoist.transport=epoll} (used where it loads): measured with the tracker's UPT load (a connection per
 * update) on the 2-core development VM it cost more CPU per connection than NIO, not less, so it is not the
 * default. Every group and channel made here uses the same transport, so they always fit together.
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
        IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    /** The listening channel type that fits {@link #newGroup}'s loops. */
    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client channel type that fits {@link #newGroup}'s loops. */
    public static Class<? extends SocketChannel> clientChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
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
