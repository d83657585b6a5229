package io.egoist.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.core.ConnId;
import io.egoist.wire.NodeId;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A link is congested only when its queue stays over the high water mark after what the current burst wrote to it
 * is flushed: a relay that reads a large burst must not drop UDP frames because it has not flushed yet, and must
 * drop them when the next hop really takes nothing.
 */
class LinkCongestionTest {
    private static final int FRAME = 1_024;
    /** More than the high water mark in one burst. */
    private static final int FRAMES = TunnelNode.LINK_QUEUE_HIGH / FRAME + 64;

    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Runs {@code r} as one task of the node's loop (one burst: the node flushes after it). */
    private void burst(Runnable r) throws Exception {
        loop.submit(r).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBurstWrittenButNotYetFlushedIsNotCongestion() throws Exception {
        EmbeddedChannel link = link(new EmbeddedChannel());
        TunnelNode node = node(link);
        burst(() -> {
            for (int i = 0; i < FRAMES; i++)
                node.out.write(link, Unpooled.buffer(FRAME).writeZero(FRAME));
            assertThat(link.isWritable()).as("over the high mark, unflushed").isFalse();

            assertThat(node.out.congested(link)).isFalse();
            assertThat(link.outboundMessages())
                    .as("the burst was flushed to the link")
                    .hasSize(FRAMES);
        });
        node.close();
        link.finishAndReleaseAll();
    }

    @Test
    void aLinkThatTakesNothingIsCongested() throws Exception {
        EmbeddedChannel link = link(new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                // the next hop takes nothing: the bytes stay queued
            }
        }));
        TunnelNode node = node(link);
        burst(() -> {
            for (int i = 0; i < FRAMES; i++)
                node.out.write(link, Unpooled.buffer(FRAME).writeZero(FRAME));

            assertThat(node.out.congested(link)).isTrue();
            assertThat(link.outboundMessages()).isEmpty();
        });
        node.close();
        link.close();
    }

    @Test
    void aLinkBelowTheHighMarkIsNotCongestedAndIsNotFlushedEarly() throws Exception {
        EmbeddedChannel link = link(new EmbeddedChannel());
        TunnelNode node = node(link);
        burst(() -> {
            node.out.write(link, Unpooled.buffer(FRAME).writeZero(FRAME));
            node.out.write(link, Unpooled.buffer(FRAME).writeZero(FRAME));

            assertThat(node.out.congested(link)).isFalse();
            assertThat(link.outboundMessages())
                    .as("not flushed during the burst")
                    .isEmpty();
        });
        burst(() -> {}); // the flush after the burst has run
        assertThat(link.outboundMessages()).as("flushed once, after the burst").hasSize(2);
        node.close();
        link.finishAndReleaseAll();
    }

    private static EmbeddedChannel link(EmbeddedChannel ch) {
        ch.config()
                .setWriteBufferWaterMark(
                        new WriteBufferWaterMark(TunnelNode.LINK_QUEUE_LOW, TunnelNode.LINK_QUEUE_HIGH));
        return ch;
    }

    private TunnelNode node(EmbeddedChannel link) {
        TunnelNode.Links links = new TunnelNode.Links() {
            @Override
            public CompletableFuture<ForwardingTable.Tables> tables(Set<NodeId> bestDestinations) {
                return CompletableFuture.completedFuture(ForwardingTable.Tables.overlayOnly(Map.of()));
            }

            @Override
            public Channel channel(ConnId c) {
                return link;
            }
        };
        return new TunnelNode(new NodeId("127.0.0.1", 4_000), loop, links, List.of(), TunnelLimits.DEFAULTS);
    }
}
