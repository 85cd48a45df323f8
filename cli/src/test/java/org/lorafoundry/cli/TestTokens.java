package org.lorafoundry.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Unsigned JWT-shaped tokens: enough for what the CLI reads from a token (it never checks signatures). */
public final class TestTokens {

    private TestTokens() {
    }

    public static String unsigned(String payloadJson) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        return url.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }
}
