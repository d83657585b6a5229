package io.egoist.security.tls;

import io.egoist.security.ca.MemberId;
import io.egoist.security.ca.MemberVerifier;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Sits right behind the {@link SslHandler} and holds back {@code channelActive} until the handshake is done:
 * the handlers behind it (and the core they feed) see only connections of authenticated members, with the
 * peer's id in the channel attribute {@link #PEER}. A failed handshake (no certificate, another CA, expired,
 * revoked, a plaintext line) is logged once per peer address and the connection closed; nothing behind the
 * gate hears of it except a {@code channelInactive} without an active before it.
 */
public final class TlsGate extends ChannelInboundHandlerAdapter {
    /** The authenticated peer's id, set before {@code channelActive} is passed on. */
    public static final AttributeKey<MemberId> PEER = AttributeKey.valueOf("egoist.tls.peer");

    /** Why the handshake failed, for a connector that wants to report it. */
    public static final AttributeKey<String> FAILURE = AttributeKey.valueOf("egoist.tls.failure");

    public static final String SSL = "tls";
    public static final String GATE = "tlsGate";

    private final TlsMembers tls;
    private final RefusalLog refusals;
    private final String where;
    private final java.util.Set<MemberId> expected;
    private boolean activeSeen, passedOn;

    private TlsGate(TlsMembers tls, RefusalLog refusals, String where, java.util.Set<MemberId> expected) {
        this.tls = tls;
        this.refusals = refusals;
        this.where = where;
        this.expected = expected;
    }

    /** Puts TLS in front of {@code ch}'s pipeline (call before any other handler is added, or first). */
    public static void install(Channel ch, TlsMembers tls, boolean client, RefusalLog refusals, String where) {
        install(ch, tls, client, refusals, where, null);
    }

    /**
     * As above; a connector that knows whom it dials ({@code expected}: the ids that may answer at that address,
     * e.g. the node whose main or echo port it is) refuses a member that presents another id: the id is the
     * address, so a member answering at another member's address is an impostor. Null: any member.
     */
    public static void install(
            Channel ch,
            TlsMembers tls,
            boolean client,
            RefusalLog refusals,
            String where,
            java.util.Set<MemberId> expected) {
        SslHandler ssl = client ? tls.newClientHandler(ch.alloc()) : tls.newServerHandler(ch.alloc());
        ch.pipeline().addFirst(GATE, new TlsGate(tls, refusals, where, expected));
        ch.pipeline().addFirst(SSL, ssl);
    }

    /**
     * Closes {@code ch} if it is a TLS connection whose peer is no longer a member under {@code tls}'s current
     * bundle, revocation list and clock (revoked, expired, its CA dropped). Returns true if it did.
     */
    public static boolean cutIfNotMember(Channel ch, TlsMembers tls, String where) {
        if (tls == null || ch == null || !ch.isActive() || peer(ch) == null) return false;
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null || tls.stillMember(ssl.engine().getSession())) return false;
        org.slf4j.LoggerFactory.getLogger(TlsMembers.class)
                .warn(
                        "event=tls-cut at={} peer={} id={} reason=no-longer-a-member",
                        where,
                        ch.remoteAddress(),
                        peer(ch));
        ch.close();
        return true;
    }

    /** The authenticated peer of a channel, or null (no TLS, or not yet). */
    public static MemberId peer(Channel ch) {
        return ch.hasAttr(PEER) ? ch.attr(PEER).get() : null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activeSeen = true; // passed on after the handshake
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                onSuccess(ctx);
            } else {
                refuse(ctx, TlsMembers.reason(done.cause()));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onSuccess(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        List<X509Certificate> chain;
        try {
            chain = Arrays.stream(ssl.engine().getSession().getPeerCertificates())
                    .map(X509Certificate.class::cast)
                    .toList();
        } catch (SSLPeerUnverifiedException e) {
            refuse(ctx, "no peer certificate");
            return;
        }
        // the trust manager checked the chain; check again so that the id is read from what was verified
        if (!(tls.verify(chain) instanceof MemberVerifier.Member m)) {
            refuse(ctx, "not a member");
            return;
        }
        if (expected != null && !expected.contains(m.id())) {
            refuse(
                    ctx,
                    "the peer's certificate is for " + m.id() + ", not for "
                            + expected.iterator().next());
            return;
        }
        ctx.channel().attr(PEER).set(m.id());
        if (activeSeen && !passedOn) {
            passedOn = true;
            ctx.fireChannelActive();
        }
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        ctx.channel().attr(FAILURE).set(reason);
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        String ip = remote == null ? "?" : remote.getAddress().getHostAddress();
        int port = remote == null ? 0 : remote.getPort();
        if (ctx.channel().isOpen()) {
            refusals.refused(where, ip, port, reason);
        } else {
            // closed by this side while the handshake ran (a shutdown, a cancelled connect): not a refusal
            org.slf4j.LoggerFactory.getLogger(TlsMembers.class)
                    .debug("event=tls-aborted at={} peer={}:{} reason=\"{}\"", where, ip, port, reason);
        }
        ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg); // only ever decrypted data, after a successful handshake
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!passedOn) {
            // the handshake failure event follows (or followed) and is logged there; just close
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
