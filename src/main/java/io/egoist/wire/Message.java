package io.egoist.wire;

import java.util.List;

/**
 * Every packet of the protocol as a typed value: the v0.2 core (names after the seed's packet types) and
 * our additive extensions. Lines on the wire are produced and parsed only by {@link WireCodec}.
 */
public sealed interface Message {

    /** {@code REG@ip:port}: a node asks to join. */
    record Register(NodeId node) implements Message {}

    /**
     * The tracker's one-line answer to REG: {@code REG@id@id...#@src@dst@cost|...}. When the line would reach
     * PKT_LIMIT it is sent as OVER/NET segments instead (see {@link Segmenter}).
     */
    record RegisterReply(List<NodeId> nodes, List<Link> links) implements Message {
        public RegisterReply {
            nodes = List.copyOf(nodes);
            links = List.copyOf(links);
        }
    }

    /** Tracker-form update {@code UPT@src@dst@cost|...}: the sender's complete out-link set. */
    record TrackerUpdate(List<Link> links) implements Message {
        public TrackerUpdate {
            links = List.copyOf(links);
        }
    }

    /**
     * Peer-form update {@code UPT@hash@seq@src@dst@cost|...}, flooded between nodes. {@code source} is the node
     * whose links these are (field UPDATE_SRC); seq counts modulo PKT_IDS_LIMIT.
     */
    record PeerUpdate(String hash, int seq, NodeId source, List<Link> links) implements Message {
        public PeerUpdate {
            links = List.copyOf(links);
        }
    }

    /** {@code RMV@ip:port}: the sender believes that node is dead. */
    record Remove(NodeId node) implements Message {}

    /** {@code TRD@}: the sender drops this neighbor link. */
    record Teardown() implements Message {}

    /** {@code OVER@id@id...[SEG]}: part of a segmented node list; {@code more} = SEG marker present. */
    record OverlaySegment(List<NodeId> nodes, boolean more) implements Message {
        public OverlaySegment {
            nodes = List.copyOf(nodes);
        }
    }

    /** {@code NET@src@dst@cost|...[SEG]}: part of a segmented link list; the last one has no SEG. */
    record NetSegment(List<Link> links, boolean more) implements Message {
        public NetSegment {
            links = List.copyOf(links);
        }
    }

    /** {@code NACK@reason}: the receiver rejected the previous line. Defined by the seed, sent only by us. */
    record Nack(String reason) implements Message {}

    // ---- extensions (egoist); sent only to peers that have shown support, see docs/PROTOCOL.md ----

    /**
     * {@code HELLO@ip:port@feature,feature}: capability announcement. Sent on a peer's echo connection; a v0.2
     * echo port returns the very same line, ours answers with its own HELLO, so support is detected without
     * ever sending an unknown packet type on a v0.2 neighbor link.
     */
    record Hello(NodeId node, List<String> features) implements Message {
        public Hello {
            features = List.copyOf(features);
        }
    }

    /** {@code HB@seq}: heartbeat on a neighbor link; the acceptor answers with the same HB line. */
    record Heartbeat(long seq) implements Message {}

    /**
     * {@code DATA@msgId@ttl@src@dst@hop,hop,...@payloadBase64}: an application message forwarded hop by hop
     * along shortest overlay paths; {@code path} lists the nodes it has visited, src first.
     */
    record Data(String msgId, int ttl, NodeId src, NodeId dst, List<NodeId> path, byte[] payload) implements Message {
        public Data {
            path = List.copyOf(path);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Data d
                    && msgId.equals(d.msgId)
                    && ttl == d.ttl
                    && src.equals(d.src)
                    && dst.equals(d.dst)
                    && path.equals(d.path)
                    && java.util.Arrays.equals(payload, d.payload);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(msgId, ttl, src, dst, path) * 31 + java.util.Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Data[" + msgId + " ttl=" + ttl + " " + src + "->" + dst + " path=" + path + " bytes="
                    + payload.length + "]";
        }
    }

    /**
     * {@code DACK@msgId@ttl@src@dst@hop,hop,...[@authBase64]}: the destination's acknowledgement of a Data message,
     * routed back to the Data's source (here {@code src} is the acknowledging node, {@code dst} the original sender,
     * {@code forwardPath} the path the Data took). {@code auth} (secure mode only, else null) proves that
     * {@code src} itself acknowledged (see io.egoist.security.e2e); relays forward it unchanged.
     */
    record DataAck(String msgId, int ttl, NodeId src, NodeId dst, List<NodeId> forwardPath, byte[] auth)
            implements Message {
        public DataAck {
            forwardPath = List.copyOf(forwardPath);
        }

        /** An acknowledgement without authentication (open mode). */
        public DataAck(String msgId, int ttl, NodeId src, NodeId dst, List<NodeId> forwardPath) {
            this(msgId, ttl, src, dst, forwardPath, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DataAck d
                    && msgId.equals(d.msgId)
                    && ttl == d.ttl
                    && src.equals(d.src)
                    && dst.equals(d.dst)
                    && forwardPath.equals(d.forwardPath)
                    && java.util.Arrays.equals(auth, d.auth);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(msgId, ttl, src, dst, forwardPath) * 31 + java.util.Arrays.hashCode(auth);
        }

        @Override
        public String toString() {
            return "DataAck[" + msgId + " ttl=" + ttl + " " + src + "->" + dst + " path=" + forwardPath
                    + (auth == null ? "" : " auth") + "]";
        }
    }

    /**
     * {@code SUPT@hash@seq@src@credential.e2eKey.signature[@src@dst@cost|...]}: a peer update signed by its origin
     * (secure mode only; sent only between nodes that advertise the {@code sig} feature). {@code unsignedLine} is
     * the v0.2 peer UPT line the signature covers ({@code UPT@hash@seq@src...}, the same line without the fourth
     * field), {@code update} its decoding; the three Base64 parts are the origin's credential (its certificate, or
     * in test mode its public key), its public key for end-to-end DATA (may be empty) and the Ed25519 signature.
     * See io.egoist.security.sign.SignedLinkState for what exactly is signed.
     */
    record SignedUpdate(PeerUpdate update, String unsignedLine, byte[] credential, byte[] e2eKey, byte[] signature)
            implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof SignedUpdate s
                    && update.equals(s.update)
                    && unsignedLine.equals(s.unsignedLine)
                    && java.util.Arrays.equals(credential, s.credential)
                    && java.util.Arrays.equals(e2eKey, s.e2eKey)
                    && java.util.Arrays.equals(signature, s.signature);
        }

        @Override
        public int hashCode() {
            return update.hashCode() * 31 + java.util.Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "SignedUpdate[" + update + " credential=" + credential.length + "B e2eKey=" + e2eKey.length + "B]";
        }
    }
}
