package io.egoist.wire;

/** The result of decoding one line: a message, or a precise error naming the field and the reason. */
public sealed interface Decoded {
    record Ok(Message message) implements Decoded {}

    record Err(String field, String reason) implements Decoded {
        /** The text after {@code NACK@} on the wire: short, single-line, free of delimiters. */
        public String nackReason() {
            String s =
                    (field + ": " + reason).replace('@', ' ').replace('\r', ' ').replace('\n', ' ');
            return s.length() <= 200 ? s : s.substring(0, 200);
        }
    }
}
