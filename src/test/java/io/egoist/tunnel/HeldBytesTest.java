package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.node.routing.RouteMode;
import io.egoist.wire.NodeId;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TunnelNode#heldBytes()} counts what waits in the send queue of every link that carried frames: an overlay
 * out-link, and a direct link a best route's first hop uses (which the overlay table does not list); a closed
 * link no longer counts.
 */
class HeldBytesTest {
    private static final NodeId SELF = new NodeId("127.0.0.1", 4_000);
    private static final NodeId FAR = new NodeId("127.0.0.1", 5_000), NEAR = new NodeId("127.0.0.1", 6_000);
    private static final ConnId DIRECT = new ConnId(7), OUT_LINK = new ConnId(8);
    private static final int PAYLOAD = 10_000;
    /** What Netty counts per queued message on top of its bytes (at most). */
    private static final long ENTRY = 256;

    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A link whose next hop takes nothing: what is written stays queued. */
    private static EmbeddedChannel stalledLink() {
        return new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                // nothing leaves
            }
        });
    }

    @Test
    void framesQueuedOnADirectLinkOfABestRouteAndOnAnOutLinkCount() throws Exception {
        EmbeddedChannel direct = stalledLink(), outLink = stalledLink();
        TunnelNode node = node(Map.of(DIRECT, direct, OUT_LINK, outLink));
        node.refreshNow().get(5, TimeUnit.SECONDS);
        assertThat(node.heldBytes().get(5, TimeUnit.SECONDS)).isZero();

        int frame = send(node, FAR, RouteMode.BEST); // over the direct link only the best table lists
        assertThat(node.heldBytes().get(5, TimeUnit.SECONDS))
                .as("a frame queued on the direct link (with Netty's per-entry overhead)")
                .isBetween((long) frame, frame + ENTRY);

        send(node, NEAR, RouteMode.OVERLAY); // over the out-link
        assertThat(node.heldBytes().get(5, TimeUnit.SECONDS)).isBetween(2L * frame, 2L * (frame + ENTRY));

        loop.submit(() -> direct.close()).get(5, TimeUnit.SECONDS);
        assertThat(node.heldBytes().get(5, TimeUnit.SECONDS))
                .as("a closed link's queue is gone")
                .isBetween((long) frame, frame + ENTRY);
        node.close();
        loop.submit(() -> outLink.close()).get(5, TimeUnit.SECONDS);
    }

    /** Sends one non-UDP-kind frame (never dropped as congested) towards {@code dst}; returns its size. */
    private int send(TunnelNode node, NodeId dst, RouteMode mode) throws Exception {
        return loop.submit(() -> {
                    var f = Frames.udp(
                            ByteBufAllocator.DEFAULT,
                            dst,
                            SELF,
                            FlowModes.newFlowId(mode),
                            new byte[0],
                            Unpooled.wrappedBuffer(new byte[PAYLOAD]));
                    int size = f.readableBytes();
                    assertThat(node.send(f, dst, false)).isEqualTo(TunnelNode.Sent.OK);
                    return size;
                })
                .get(5, TimeUnit.SECONDS);
    }

    /** A node whose overlay table reaches NEAR and FAR over the out-link, and whose best route to FAR is direct. */
    private TunnelNode node(Map<ConnId, EmbeddedChannel> channels) {
        TunnelNode.Links links = new TunnelNode.Links() {
            @Override
            public CompletableFuture<ForwardingTable.Tables> tables(Set<NodeId> bestDestinations) {
                return CompletableFuture.completedFuture(new ForwardingTable.Tables(
                        Map.of(NEAR, OUT_LINK, FAR, OUT_LINK), Map.of(FAR, DIRECT), Set.of(FAR)));
            }

            @Override
            public Channel channel(ConnId c) {
                return channels.get(c);
            }
        };
        return new TunnelNode(SELF, loop, links, List.of(), TunnelLimits.DEFAULTS);
    }
}
