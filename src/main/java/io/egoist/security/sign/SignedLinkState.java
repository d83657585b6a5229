package io.egoist.security.sign;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The canonical bytes an origin signs for one announcement (the Ed25519 message):
 *
 * <pre>
 *   "egoist-supt-v1" 0x00                      domain separation: these bytes mean nothing else
 *   len(e2eKey) as 2 bytes, big-endian, e2eKey the origin's X25519 public key (X.509 form), may be empty
 *   the peer UPT line, US-ASCII                "UPT@hash@seq@origin[@origin@dst@cost|...]"
 * </pre>
 *
 * The UPT line holds the hash, the sequence number, the origin and every link with its cost, in the very digits the
 * origin wrote; the receiver takes it from the SUPT line by cutting out the signature field, never re-encoding it,
 * so a relay that changes one character of a link, the sequence number, the hash or the origin invalidates the
 * signature. The credential is not signed: it only says whose key checks the signature, and it is verified on its
 * own ({@link MemberKeys}) to bind the origin's id.
 */
public final class SignedLinkState {
    private SignedLinkState() {}

    static final byte[] DOMAIN = "egoist-supt-v1\0".getBytes(StandardCharsets.US_ASCII);

    public static byte[] signedBytes(String unsignedLine, byte[] e2eKey) {
        if (e2eKey.length > 0xFFFF) throw new IllegalArgumentException("e2e key too long");
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(DOMAIN.length + 2 + e2eKey.length + unsignedLine.length());
        out.writeBytes(DOMAIN);
        out.write(e2eKey.length >>> 8);
        out.write(e2eKey.length & 0xFF);
        out.writeBytes(e2eKey);
        out.writeBytes(unsignedLine.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
