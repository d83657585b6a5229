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
    /** Socket buffer size asked for the tunnels' UDP sockets (absorbs bursts; the kernel may cap it). */
    public static final int UDP_BUFFER = 1 << 20;

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
        if (body.readableBytes() < HEADER) return null;
        int i = body.readerIndex();
        if (body.getUnsignedByte(i) != VERSION) return null;
        NodeId dst = id(body, i + 3), src = id(body, i + 9);
        if (dst == null || src == null) return null;
        return new Header(
                body.getUnsignedByte(i + 1),
                body.getUnsignedByte(i + 2),
                dst,
                src,
                body.getLong(i + 15),
                body.getLong(i + 23),
                body.slice(i + HEADER, body.readableBytes() - HEADER));
    }

    /** The destination of a body without parsing the rest (relays), or null. */
    static NodeId dst(ByteBuf body) {
        return body.readableBytes() < HEADER ? null : id(body, body.readerIndex() + 3);
    }

    private static NodeId id(ByteBuf b, int at) {
        int port = b.getUnsignedShort(at + 4);
        if (port == 0) return null;
        String ip = b.getUnsignedByte(at) + "." + b.getUnsignedByte(at + 1) + "." + b.getUnsignedByte(at + 2) + "."
                + b.getUnsignedByte(at + 3);
        return new NodeId(ip, port);
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

    /** The prefix (marker, length) a relay puts before a body it forwards. */
    static ByteBuf prefix(ByteBufAllocator alloc, int bodyLength) {
        return alloc.buffer(FrameSplitter.PREFIX)
                .writeByte(FrameSplitter.MARKER)
                .writeInt(bodyLength);
    }

    private static void writeId(ByteBuf b, NodeId id) {
        for (String octet : id.ip().split("\\.", 4)) b.writeByte(Integer.parseInt(octet));
        b.writeShort(id.port());
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
