package io.egoist.wire;

import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The signed peer update {@code SUPT@hash@seq@src@credential.e2eKey.signature[@src@dst@cost|...]} (secure mode):
 * the v0.2 peer UPT line with one field inserted after the source, so the line the signature covers is recovered
 * by cutting that field out again, byte for byte, without re-encoding anything (costs keep the very digits the
 * origin wrote). Sent only to peers that advertise the {@code sig} feature, so a v0.2 node never sees one.
 */
public final class SignedUpdateCodec {
    private SignedUpdateCodec() {}

    /** Longest credential (a member certificate, DER) a signed update may carry. */
    public static final int MAX_CREDENTIAL_BYTES = 4096;
    /** Longest end-to-end public key a signed update may carry (an X25519 key in X.509 form is 44 bytes). */
    public static final int MAX_E2E_KEY_BYTES = 128;
    /** An Ed25519 signature. */
    public static final int SIGNATURE_BYTES = 64;

    private static final Pattern B64 =
            Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

    /**
     * The SUPT line for the peer UPT line {@code unsignedLine} (as WireCodec encodes it) and the three parts.
     * Throws IllegalArgumentException when {@code unsignedLine} is not a peer UPT line or a part is out of bounds.
     */
    public static String encode(String unsignedLine, byte[] credential, byte[] e2eKey, byte[] signature) {
        Decoded d = WireCodec.decode(WireCodec.Context.PEER_LINK, unsignedLine);
        if (!(d instanceof Decoded.Ok ok) || !(ok.message() instanceof Message.PeerUpdate))
            throw new IllegalArgumentException("not a peer update line: " + unsignedLine);
        checkSizes(credential, e2eKey, signature);
        int cut = endOfSource(unsignedLine);
        Base64.Encoder b = Base64.getEncoder();
        return "S" + unsignedLine.substring(0, cut) + "@" + b.encodeToString(credential) + "."
                + b.encodeToString(e2eKey) + "." + b.encodeToString(signature) + unsignedLine.substring(cut);
    }

    /** The SUPT line of {@code m}. */
    static String encode(Message.SignedUpdate m) {
        return encode(m.unsignedLine(), m.credential(), m.e2eKey(), m.signature());
    }

    /** Decodes what follows {@code SUPT} on a neighbor link. Never throws. */
    static Decoded decode(String rest) {
        // rest = "@hash@seq@src@block" + ("" | "@dst@cost|...")
        int at = -1;
        for (int i = 0; i < 4; i++) {
            at = rest.indexOf('@', at + 1);
            if (at < 0)
                return new Decoded.Err(i < 3 ? new String[] {"hash", "seq", "source"}[i] : "signature", "missing");
        }
        int end = rest.indexOf('@', at + 1);
        if (end < 0) end = rest.length();
        String block = rest.substring(at + 1, end);
        String unsigned = Seed.UPDATE + rest.substring(0, at) + rest.substring(end);
        Decoded inner = WireCodec.decode(WireCodec.Context.PEER_LINK, unsigned);
        if (inner instanceof Decoded.Err e) return e;
        if (!(((Decoded.Ok) inner).message() instanceof Message.PeerUpdate u))
            return new Decoded.Err("line", "not a peer update");
        String[] parts = block.split("\\.", -1);
        if (parts.length != 3) return new Decoded.Err("signature", "must be credential.key.signature in Base64");
        byte[][] bytes = new byte[3][];
        for (int i = 0; i < 3; i++) {
            if (parts[i].length() > 2 * MAX_CREDENTIAL_BYTES
                    || !B64.matcher(parts[i]).matches())
                return new Decoded.Err("signature", "part " + i + " is not standard Base64");
            bytes[i] = Base64.getDecoder().decode(parts[i]);
            if (!Base64.getEncoder().encodeToString(bytes[i]).equals(parts[i]))
                return new Decoded.Err("signature", "part " + i + " is non-canonical Base64");
        }
        try {
            checkSizes(bytes[0], bytes[1], bytes[2]);
        } catch (IllegalArgumentException e) {
            return new Decoded.Err("signature", e.getMessage());
        }
        return new Decoded.Ok(new Message.SignedUpdate(u, unsigned, bytes[0], bytes[1], bytes[2]));
    }

    /** Index just past the source field (field 3) of a peer UPT line. */
    private static int endOfSource(String line) {
        int at = -1;
        for (int i = 0; i < 3; i++) at = line.indexOf('@', at + 1);
        int next = line.indexOf('@', at + 1);
        return next < 0 ? line.length() : next;
    }

    private static void checkSizes(byte[] credential, byte[] e2eKey, byte[] signature) {
        if (credential.length == 0 || credential.length > MAX_CREDENTIAL_BYTES)
            throw new IllegalArgumentException("credential must be 1-" + MAX_CREDENTIAL_BYTES + " bytes");
        if (e2eKey.length > MAX_E2E_KEY_BYTES)
            throw new IllegalArgumentException("e2e key longer than " + MAX_E2E_KEY_BYTES + " bytes");
        if (signature.length != SIGNATURE_BYTES)
            throw new IllegalArgumentException("signature must be " + SIGNATURE_BYTES + " bytes");
    }
}
