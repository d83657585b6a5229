package io.egoist.tunnel;

import io.egoist.runtime.Netty;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/** The source side of a TCP tunnel: a local listening socket; each accepted connection is one stream. */
final class TcpForward extends Forward {
    private final Channel server;
    final Set<TcpStream> streams = new HashSet<>();

    TcpForward(TunnelNode node, long id, Spec spec) {
        super(node, id, spec);
        ChannelFuture f = new ServerBootstrap()
                .group(node.loop, node.loop)
                .channel(Netty.serverChannel(node.loop))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // read once the destination accepted the stream
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (node.tcpStreams >= node.limits.tcpStreams()) {
                            dropped.incrementAndGet();
                            ch.close();
                            return;
                        }
                        opened.incrementAndGet();
                        streams.add(TcpStream.source(node, TcpForward.this, ch));
                    }
                })
                .bind(spec.listen().host(), spec.listen().port())
                .awaitUninterruptibly(); // never on the loop: see TunnelNode.addForward
        if (!f.isSuccess())
            throw new IllegalStateException(
                    "cannot listen on " + spec.listen() + ": " + f.cause().getMessage());
        server = f.channel();
    }

    @Override
    String boundAddress() {
        InetSocketAddress a = (InetSocketAddress) server.localAddress();
        return "tcp:" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    int active() {
        return streams.size();
    }

    @Override
    void close() {
        server.close();
        for (TcpStream s : Set.copyOf(streams)) s.close("forward removed");
    }
}
