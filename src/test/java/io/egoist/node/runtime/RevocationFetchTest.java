package io.egoist.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.NetworkCa;
import io.egoist.security.ca.RevocationList;
import io.egoist.security.tls.RefusalLog;
import io.egoist.security.tls.TestPki;
import io.egoist.security.tls.TlsGate;
import io.egoist.security.tls.TlsMembers;
import io.egoist.wire.CrlLines;
import io.egoist.wire.NodeId;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's fetch of the revocation list against a tracker that lies (a test TLS server holding the tracker's
 * credential, on a real socket): whatever is not the CAs' own, current list is refused, and the list in force
 * does not change.
 */
class RevocationFetchTest {
    @TempDir
    Path dir;

    EventLoopGroup group;
    Channel server;
    TestPki pki;
    TlsMembers node;
    volatile String answer;
    final AtomicInteger cuts = new AtomicInteger();
    RevocationFetch fetch;

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        pki = new TestPki(dir.resolve("pki"));
        node = TestPki.members(pki.issue("n0", TestPki.node(7000)));
        pki.issue("n1", TestPki.node(7002));
        server = fakeTracker(TestPki.members(pki.issue("tracker", "tracker")));
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        fetch = new RevocationFetch(
                group, node, NodeId.parse(TestPki.node(7000)), "127.0.0.1", port, cuts::incrementAndGet);
    }

    @AfterEach
    void tearDown() {
        fetch.close();
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Answers a {@code CRL} line with {@link #answer} and closes, over TLS with the given credentials. */
    Channel fakeTracker(TlsMembers creds) {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1024, true, true));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                String line = ((ByteBuf) msg).toString(StandardCharsets.US_ASCII);
                                ((ByteBuf) msg).release();
                                if (!line.equals(CrlLines.REQUEST)) return;
                                ctx.writeAndFlush(Unpooled.copiedBuffer(answer + "\r\n", StandardCharsets.US_ASCII))
                                        .addListener(ChannelFutureListener.CLOSE);
                            }
                        });
                        TlsGate.install(ch, creds, false, new RefusalLog(), "fake-tracker");
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    String currentList() throws Exception {
        return RevocationList.load(
                        pki.dir.resolve("ca").resolve(NetworkCa.CRL),
                        node.credentials().bundle())
                .wireForm();
    }

    RevocationFetch.Result fetchWith(String line) throws Exception {
        answer = line;
        return fetch.fetch().get(20, TimeUnit.SECONDS);
    }

    @Test
    void theCasListIsTakenAndANewerOneReplacesIt() throws Exception {
        assertThat(fetchWith(CrlLines.reply(currentList()))).isEqualTo(RevocationFetch.Result.SAME);
        pki.ca.revoke(MemberId.parse(TestPki.node(7002)), Instant.now());
        assertThat(fetchWith(CrlLines.reply(currentList()))).isEqualTo(RevocationFetch.Result.CHANGED);
        assertThat(node.revocations().size()).isEqualTo(1);
        assertThat(cuts).hasValue(1); // the node was told to cut revoked peers' connections
        assertThat(fetch.refusedCount()).isZero();
    }

    @Test
    void aForgedUnsignedMalformedOrOlderListIsRefusedAndNothingChanges() throws Exception {
        String before = currentList();
        pki.ca.revoke(MemberId.parse(TestPki.node(7002)), Instant.now());
        String genuine = currentList();
        assertThat(fetchWith(CrlLines.reply(genuine))).isEqualTo(RevocationFetch.Result.CHANGED);
        var held = node.revocations();

        // one bit of the CA's signature flipped (the tracker altered the list)
        byte[] der = Base64.getDecoder().decode(genuine);
        der[der.length - 1] ^= 1;
        String altered = Base64.getEncoder().encodeToString(der);
        // a list signed by another CA (a tracker with a CA of its own)
        TestPki other = new TestPki(dir.resolve("other"));
        other.issue("x", TestPki.node(7000));
        other.ca.revoke(MemberId.parse(TestPki.node(7000)), Instant.now());
        String foreign = RevocationList.load(
                        other.dir.resolve("ca").resolve(NetworkCa.CRL),
                        TestPki.members(other.dir.resolve("x")).credentials().bundle())
                .wireForm();
        for (String bad : new String[] {
            CrlLines.reply(altered),
            CrlLines.reply(foreign),
            CrlLines.reply("not base64!"),
            CrlLines.reply(Base64.getEncoder().encodeToString("no CRL".getBytes(StandardCharsets.US_ASCII))),
            CrlLines.reply(""),
            CrlLines.reply(before), // older than the list held: a rollback
            CrlLines.reply("A".repeat(RevocationList.MAX_WIRE_CHARS + 100)), // over the bound
            "OVER@1@2" // not a list at all
        }) {
            long refused = fetch.refusedCount();
            assertThat(fetchWith(bad))
                    .as(bad.substring(0, Math.min(40, bad.length())))
                    .isEqualTo(RevocationFetch.Result.REFUSED);
            assertThat(fetch.refusedCount()).isEqualTo(refused + 1);
            assertThat(node.revocations()).isSameAs(held);
        }
        assertThat(cuts).hasValue(1);
        // a tracker that has no list says so: no list this time, nothing changes either
        assertThat(fetchWith("NACK@crl: this tracker serves no revocation list (no --crl)"))
                .isEqualTo(RevocationFetch.Result.NONE);
        assertThat(node.revocations()).isSameAs(held);
    }

    @Test
    void aMemberThatIsNotTheTrackerIsNotAskedAtAll() throws Exception {
        server.close().awaitUninterruptibly();
        server = fakeTracker(TestPki.members(pki.dir.resolve("n1"))); // a node answering at the tracker's address
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        fetch.close();
        fetch = new RevocationFetch(
                group, node, NodeId.parse(TestPki.node(7000)), "127.0.0.1", port, cuts::incrementAndGet);
        pki.ca.revoke(MemberId.parse(TestPki.node(7002)), Instant.now());
        assertThat(fetchWith(CrlLines.reply(currentList()))).isEqualTo(RevocationFetch.Result.NONE);
        assertThat(node.revocations().size()).isZero();
    }
}
