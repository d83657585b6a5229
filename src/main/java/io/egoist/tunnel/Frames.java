package io.egoist.tunnel;

import io.egoist.runtime.FrameSplitter;
import io.egoist.wire.NodeId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a tunnel frame's body (after the splitter's marker and length, see {@link FrameSplitter}), all
 * big-endian:
 *
 * <pre>
 * version(1)=1  kind(1)  ttl(1)  dst ip(4) dst port(2)  src ip(4) src port(2)  flow(8)  seq(8)  payload
 * </pre>
 *
 * {@code flow} names a UDP session or TCP stream together with the node that opened it; {@code seq} is a byte
 * offset (DATA, ACK, CLOSE) or 0. A relay reads only dst and ttl, decrements ttl in place and forwards the body
 * unchanged. Every field is checked before use: a frame from the network may come from anyone.
 */
public final class Frames {
    private Frames() {}

    public static final int VERSION = 1;
    public static final int HEADER = 31;
    /** Largest payload: a whole UDP datagram (65,507 bytes on IPv4) fits. */
    public static final int MAX_PAYLOAD = 65_536;

    public static final int MAX_BODY = HEADER + MAX_PAYLOAD;
    /**
     * Socket buffer size asked for the tunnels' UDP sockets: 4 MiB holds about 1,700 datagrams of 1,200 bytes
     * (the kernel counts about 2.3 KB per datagram), 35 ms at 50,000/s, so a loop thread that waits for a core
     * that long loses nothing (the kernel caps it at {@code net.core.rmem_max} / {@code wmem_max}).
     */
    public static final int UDP_BUFFER = 4 << 20;

    /** Datagrams a tunnel's UDP socket reads per wake-up (Netty's default is 16). */
    public static final int UDP_READS_PER_WAKEUP = 64;

    /**
     * How the tunnels' UDP sockets read: into a buffer a whole datagram fits in (Netty's default of 2,048 bytes
     * would cut larger ones short), {@link #UDP_READS_PER_WAKEUP} datagrams per wake-up.
     */
    static io.netty.channel.RecvByteBufAllocator udpReads() {
        return new io.netty.channel.FixedRecvByteBufAllocator(MAX_PAYLOAD).maxMessagesPerRead(UDP_READS_PER_WAKEUP);
    }

    /** Hops a frame may take. */
    public static final int TTL = 32;

    /** Ask whether a service is exposed (payload "udp:NAME" or "tcp:NAME"); answered by ACCEPT or REFUSE. */
    public static final byte CHECK = 1;
    /** Open a TCP stream to the service named in the payload; answered by ACCEPT or REFUSE. */
    public static final byte OPEN = 2;

    public static final byte ACCEPT = 3;
    /** Payload: the reason, printable ASCII. */
    public static final byte REFUSE = 4;
    /** TCP bytes; seq = offset of the first byte in the stream. */
    public static final byte DATA = 5;
    /** seq = bytes of the stream written to the application so far (the sender's window moves). */
    public static final byte ACK = 6;
    /** The sender's application closed its connection after seq bytes. */
    public static final byte CLOSE = 7;
    /** One datagram: payload = name length(1), service name (empty towards the forward's side), datagram. */
    public static final byte UDP = 8;

    /** A parsed header; {@code payload} is a slice of the body (not retained). */
    public record Header(int kind, int ttl, NodeId dst, NodeId src, long flow, long seq, ByteBuf payload) {}

    /** Parses a frame body, or returns null when it is malformed (too short, other version, bad id). */
    public static Header parse(ByteBuf body) {
        return parse(body, Frames::id);
    }

    /** {@link #parse(ByteBuf)} with the ids made by {@code ids} from their {@link #key}s (a cache). */
    static Header parse(ByteBuf body, java.util.function.LongFunction<NodeId> ids) {
        if (body.readableBytes() < HEADER) return null;
        int i = body.readerIndex();
        if (body.getUnsignedByte(i) != VERSION) return null;
        long dk = key(body, i + 3), sk = key(body, i + 9);
        if (dk < 0 || sk < 0) return null;
        NodeId dst = ids.apply(dk), src = ids.apply(sk);
        return new Header(
                body.getUnsignedByte(i + 1),
                body.getUnsignedByte(i + 2),
                dst,
                src,
                body.getLong(i + 15),
                body.getLong(i + 23),
                body.slice(i + HEADER, body.readableBytes() - HEADER));
    }

    /**
     * An address (4 bytes of IPv4, 2 of port) at {@code at} as one number, ip << 16 | port, or -1 for port 0: lets
     * a relay look up the next hop without building an id for every frame.
     */
    static long key(ByteBuf b, int at) {
        int port = b.getUnsignedShort(at + 4);
        return port == 0 ? -1 : (b.getUnsignedInt(at) << 16) | port;
    }

    /** The {@link #key} of an id. */
    static long key(NodeId id) {
        String s = id.ip(); // a valid dotted quad (NodeId checks it)
        long ip = 0;
        int octet = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                ip = (ip << 8) | octet;
                octet = 0;
            } else octet = octet * 10 + (c - '0');
        }
        return (((ip << 8) | octet) << 16) | id.port();
    }

    /** The id of a {@link #key}. */
    static NodeId id(long key) {
        long ip = key >>> 16;
        return new NodeId(
                (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff),
                (int) (key & 0xffff));
    }

    /** The marker, length and header of a frame; the caller writes {@code payloadLength} bytes after it. */
    public static ByteBuf header(
            ByteBufAllocator alloc, int kind, NodeId dst, NodeId src, long flow, long seq, int payloadLength) {
        ByteBuf b = alloc.buffer(FrameSplitter.PREFIX + HEADER);
        b.writeByte(FrameSplitter.MARKER).writeInt(HEADER + payloadLength);
        b.writeByte(VERSION).writeByte(kind).writeByte(TTL);
        writeId(b, dst);
        writeId(b, src);
        b.writeLong(flow).writeLong(seq);
        return b;
    }

    /** A whole frame with a small payload (control kinds). */
    public static ByteBuf small(
            ByteBufAllocator alloc, int kind, NodeId dst, NodeId src, long flow, long seq, byte[] p) {
        ByteBuf b = header(alloc, kind, dst, src, flow, seq, p.length);
        return b.writeBytes(p);
    }

    /**
     * A whole UDP frame in one buffer: header, the service name's length and bytes, and a copy of {@code data} (a
     * datagram of up to {@link #MAX_PAYLOAD} bytes, read into a buffer of that size: copied out so that buffer goes
     * back to the pool at once and a queued frame holds only its own bytes).
     */
    static ByteBuf udp(ByteBufAllocator alloc, NodeId dst, NodeId src, long flow, byte[] name, ByteBuf data) {
        int payload = 1 + name.length + data.readableBytes();
        ByteBuf b = alloc.directBuffer(FrameSplitter.PREFIX + HEADER + payload);
        b.writeByte(FrameSplitter.MARKER).writeInt(HEADER + payload);
        b.writeByte(VERSION).writeByte(UDP).writeByte(TTL);
        writeId(b, dst);
        writeId(b, src);
        b.writeLong(flow).writeLong(0);
        b.writeByte(name.length).writeBytes(name);
        return b.writeBytes(data, data.readerIndex(), data.readableBytes());
    }

    private static void writeId(ByteBuf b, NodeId id) {
        long k = key(id);
        b.writeInt((int) (k >>> 16)).writeShort((int) (k & 0xffff));
    }

    /** A payload read as printable ASCII (non-printable bytes become '?'), at most 200 characters. */
    public static String text(ByteBuf payload) {
        int n = Math.min(payload.readableBytes(), 200);
        byte[] bytes = new byte[n];
        payload.getBytes(payload.readerIndex(), bytes);
        for (int i = 0; i < n; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) bytes[i] = '?';
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
