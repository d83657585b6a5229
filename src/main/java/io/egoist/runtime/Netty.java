package io.egoist.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** Small helpers around Netty's event loop groups, so every adapter creates them the same way. */
public final class Netty {
    private Netty() {}

    /** A NIO event loop group with {@code threads} daemon threads named {@code name-N-M}. */
    public static EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
    }

    /** Shuts a group down without a quiet period and waits (bounded) until its threads have ended. */
    public static void shutdown(EventLoopGroup group) {
        if (group == null) return;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
