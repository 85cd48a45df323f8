package org.lorafoundry.platform.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Mints RS256 JWTs for the embedded default (tests, {@code ./foundry token}, the admin token API). JDK only, so it runs
 * from the launcher without a service's classpath. Claims: {@code iss}, {@code sub}, {@code upn}, {@code groups} (roles),
 * {@code teams}, {@code iat}, {@code exp}, {@code jti}.
 */
public final class TokenMinter {

    public static final String DEFAULT_ISSUER = "lora-foundry";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9@._:-]{1,128}");
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey key;
    private final String issuer;

    public TokenMinter(PrivateKey key, String issuer) {
        this.key = key;
        this.issuer = issuer;
    }

    public String mint(String subject, Collection<String> teams, Collection<Role> roles, Duration lifetime) {
        requireSafe("subject", subject);
        teams.forEach(team -> requireSafe("team", team));
        Instant now = Instant.now();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"upn\":\"" + subject + "\""
                + ",\"groups\":" + array(roles.stream().map(Role::claim).toList())
                + ",\"teams\":" + array(teams)
                + ",\"iat\":" + now.getEpochSecond() + ",\"exp\":" + now.plus(lifetime).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String signingInput = URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign token", e);
        }
    }

    private static String array(Collection<String> values) {
        return values.stream().map(value -> "\"" + value + "\"").collect(Collectors.joining(",", "[", "]"));
    }

    private static void requireSafe(String what, String value) {
        if (value == null || !SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " '" + value + "': 1-128 of A-Z a-z 0-9 @ . _ : -");
        }
    }
}
