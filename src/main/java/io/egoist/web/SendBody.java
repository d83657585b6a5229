package io.egoist.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.egoist.node.runtime.EgoistNode;
import io.egoist.runtime.HttpJsonServer.HttpError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;

/** The body of {@code POST /send}: a JSON object with exactly one of {@code text} (UTF-8) or {@code base64}. */
final class SendBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SendBody() {}

    /** The payload bytes; 400 for a malformed body, 413 over {@link EgoistNode#MAX_PAYLOAD} bytes. */
    static byte[] payload(byte[] body) {
        JsonNode doc;
        try {
            doc = JSON.readTree(body);
        } catch (IOException e) {
            throw new HttpError(400, "the body is not JSON: send {\"text\": \"...\"} or {\"base64\": \"...\"}");
        }
        if (doc == null || !doc.isObject())
            throw new HttpError(400, "the body must be a JSON object: {\"text\": \"...\"} or {\"base64\": \"...\"}");
        for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("text") && !f.equals("base64"))
                throw new HttpError(400, "unknown field '" + clip(f) + "' (allowed: text, base64)");
        }
        JsonNode text = doc.get("text"), b64 = doc.get("base64");
        if ((text == null) == (b64 == null)) throw new HttpError(400, "give exactly one of 'text' and 'base64'");
        JsonNode v = text != null ? text : b64;
        if (!v.isTextual()) throw new HttpError(400, "'" + (text != null ? "text" : "base64") + "' must be a string");
        byte[] payload;
        if (text != null) {
            payload = v.asText().getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                payload = Base64.getDecoder().decode(v.asText());
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "'base64' is not valid Base64: " + e.getMessage());
            }
        }
        if (payload.length == 0) throw new HttpError(400, "empty payload");
        if (payload.length > EgoistNode.MAX_PAYLOAD)
            throw new HttpError(
                    413,
                    "payload too large: " + payload.length + " bytes, the maximum is " + EgoistNode.MAX_PAYLOAD
                            + " bytes");
        return payload;
    }

    private static String clip(String s) {
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
