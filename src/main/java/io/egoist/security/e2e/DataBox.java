package io.egoist.security.e2e;

import io.egoist.node.data.DataSeal;
import io.egoist.wire.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * End-to-end DATA (secure mode): a payload is encrypted and authenticated by its source for its destination, so
 * relays forward bytes they can neither read nor alter, and nobody but the source can make a message the destination
 * accepts as the source's; the destination's acknowledgement carries a proof only the destination can make.
 *
 * <p>Construction (no home-made primitives; the JDK's X25519 and ChaCha20-Poly1305, BouncyCastle's HKDF):
 *
 * <ul>
 *   <li>each node has an X25519 key pair; its public half is published in its signed announcements, so a node learns
 *       a peer's key only through a verified signature of that peer ({@link #learn});
 *   <li>for a pair (A, B): {@code shared = X25519(a, B)}; per direction and purpose a 32-byte key
 *       {@code HKDF-SHA256(ikm = shared, salt = "egoist-e2e-v1", info = purpose 0x00 from 0x00 to 0x00 pubFrom pubTo)}
 *       with purpose {@code data} or {@code dack}: a message from A to B cannot be turned into one from B to A, nor
 *       a payload into an acknowledgement;
 *   <li>a sealed payload is {@code 0x01 || nonce (12 random bytes) || ChaCha20-Poly1305(key, nonce, payload, aad)},
 *       {@code aad = "egoist-data-v1" 0x00 src 0x00 dst 0x00 msgId}: bound to its source, destination and message id,
 *       {@value #OVERHEAD} bytes longer than the payload;
 *   <li>the acknowledgement proof is {@code nonce || ChaCha20-Poly1305(ackKey, nonce, empty, "egoist-dack-v1" 0x00
 *       acker 0x00 source 0x00 msgId)}: a Poly1305 tag under a key only the two ends can derive.
 * </ul>
 *
 * Keys are static for a node's lifetime (fresh X25519 pair at every start): no forward secrecy within one run; with
 * random 96-bit nonces, a pair's direction stays well within the safe number of messages per key (2^32) for any
 * realistic run. A pure component the node core calls on its own thread (not thread-safe; one per node).
 */
public final class DataBox implements DataSeal {
    /** Version byte + nonce + Poly1305 tag. */
    public static final int OVERHEAD = 1 + 12 + 16;
    /** Peers whose key we hold (one per member); the least recently used is forgotten first. */
    public static final int MAX_PEERS = 65_536;

    private static final byte VERSION = 1;
    private static final byte[] SALT = "egoist-e2e-v1".getBytes(StandardCharsets.US_ASCII);

    private record Peer(byte[] publicKey, byte[] sendData, byte[] recvData, byte[] sendAck, byte[] recvAck) {}

    private final NodeId self;
    private final KeyPair own;
    private final byte[] ownPublic;
    private final SecureRandom random;
    private final Cipher cipher;
    private final Map<NodeId, Peer> peers = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Peer> e) {
            return size() > MAX_PEERS;
        }
    };

    /** {@code own}: our X25519 pair (the one our signed announcements publish); {@code random}: for nonces. */
    public DataBox(NodeId self, KeyPair own, SecureRandom random) {
        this.self = self;
        this.own = own;
        this.ownPublic = own.getPublic().getEncoded();
        this.random = random;
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean secure() {
        return true;
    }

    @Override
    public int overhead() {
        return OVERHEAD;
    }

    @Override
    public void learn(NodeId node, byte[] publicKey) {
        Peer known = peers.get(node);
        if (known != null && Arrays.equals(known.publicKey(), publicKey)) return;
        try {
            PublicKey pub = KeyFactory.getInstance("XDH").generatePublic(new X509EncodedKeySpec(publicKey));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(own.getPrivate());
            ka.doPhase(pub, true);
            byte[] shared = ka.generateSecret();
            if (allZero(shared)) return; // a low-order point: refuse the key
            byte[] theirs = pub.getEncoded();
            peers.put(
                    node,
                    new Peer(
                            publicKey.clone(),
                            derive(shared, "data", self, node, ownPublic, theirs),
                            derive(shared, "data", node, self, theirs, ownPublic),
                            derive(shared, "dack", self, node, ownPublic, theirs),
                            derive(shared, "dack", node, self, theirs, ownPublic)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // not an X25519 key: we cannot talk end to end with this node until it announces a usable one
        }
    }

    @Override
    public boolean knows(NodeId node) {
        return peers.containsKey(node);
    }

    @Override
    public byte[] seal(NodeId dst, String msgId, byte[] plain) {
        Peer p = peers.get(dst);
        if (p == null) return null;
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        byte[] ct = crypt(Cipher.ENCRYPT_MODE, p.sendData(), nonce, aad("egoist-data-v1", self, dst, msgId), plain, 0);
        byte[] out = new byte[1 + 12 + ct.length];
        out[0] = VERSION;
        System.arraycopy(nonce, 0, out, 1, 12);
        System.arraycopy(ct, 0, out, 13, ct.length);
        return out;
    }

    @Override
    public byte[] open(NodeId src, String msgId, byte[] sealed) {
        Peer p = peers.get(src);
        if (p == null || sealed.length < OVERHEAD || sealed[0] != VERSION) return null;
        byte[] nonce = Arrays.copyOfRange(sealed, 1, 13);
        return crypt(Cipher.DECRYPT_MODE, p.recvData(), nonce, aad("egoist-data-v1", src, self, msgId), sealed, 13);
    }

    @Override
    public byte[] ackProof(NodeId src, String msgId) {
        Peer p = peers.get(src);
        if (p == null) return null;
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        byte[] tag =
                crypt(Cipher.ENCRYPT_MODE, p.sendAck(), nonce, aad("egoist-dack-v1", self, src, msgId), new byte[0], 0);
        byte[] out = new byte[12 + tag.length];
        System.arraycopy(nonce, 0, out, 0, 12);
        System.arraycopy(tag, 0, out, 12, tag.length);
        return out;
    }

    @Override
    public boolean ackValid(NodeId acker, String msgId, byte[] proof) {
        Peer p = peers.get(acker);
        if (p == null || proof == null || proof.length != 12 + 16) return false;
        byte[] nonce = Arrays.copyOfRange(proof, 0, 12);
        byte[] plain =
                crypt(Cipher.DECRYPT_MODE, p.recvAck(), nonce, aad("egoist-dack-v1", acker, self, msgId), proof, 12);
        return plain != null && plain.length == 0;
    }

    /** ChaCha20-Poly1305 over {@code in[from..]}; null when decryption fails authentication. */
    private byte[] crypt(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] in, int from) {
        try {
            cipher.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(in, from, in.length - from);
        } catch (javax.crypto.AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            if (mode == Cipher.DECRYPT_MODE) return null;
            throw new IllegalStateException("ChaCha20-Poly1305 failed: " + e.getMessage(), e);
        }
    }

    private static byte[] aad(String label, NodeId from, NodeId to, String msgId) {
        return (label + "\0" + from + "\0" + to + "\0" + msgId).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] derive(byte[] shared, String purpose, NodeId from, NodeId to, byte[] pubFrom, byte[] pubTo) {
        byte[] head = (purpose + "\0" + from + "\0" + to + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[head.length + pubFrom.length + pubTo.length];
        System.arraycopy(head, 0, info, 0, head.length);
        System.arraycopy(pubFrom, 0, info, head.length, pubFrom.length);
        System.arraycopy(pubTo, 0, info, head.length + pubFrom.length, pubTo.length);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, SALT, info));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, key.length);
        return key;
    }

    private static boolean allZero(byte[] b) {
        int acc = 0;
        for (byte x : b) acc |= x;
        return acc == 0;
    }
}
