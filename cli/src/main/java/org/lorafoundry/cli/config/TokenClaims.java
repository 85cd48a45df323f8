package org.lorafoundry.cli.config;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.lorafoundry.cli.CliException;

/**
 * What a bearer token says about its holder, read from the JWT's payload <em>without</em> checking its signature: the
 * services verify tokens; the CLI only uses the claims to default the team and to tell a person who they are logged
 * in as.
 *
 * @param subject   {@code sub}
 * @param teams     {@code teams}
 * @param roles     {@code groups} (member, maintainer, admin)
 * @param expiresAt {@code exp}, null when absent
 */
public record TokenClaims(String subject, List<String> teams, List<String> roles, Instant expiresAt) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public TokenClaims {
        teams = List.copyOf(teams);
        roles = List.copyOf(roles);
    }

    public static TokenClaims of(String token) {
        String[] parts = token.strip().split("\\.");
        if (parts.length != 3) {
            throw CliException.usage("That is not a bearer token (a JWT has three dot-separated parts); get one with "
                    + "'./foundry token --subject you --teams demo' or from an admin");
        }
        try {
            JsonNode payload = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
            Instant expires = payload.hasNonNull("exp") ? Instant.ofEpochSecond(payload.get("exp").asLong()) : null;
            return new TokenClaims(payload.path("sub").asText(""), strings(payload.path("teams")),
                    strings(payload.path("groups")), expires);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw CliException.usage("The token's payload is not base64url JSON: it is not a JWT of this platform");
        }
    }

    /** The team to act for when none is named: the token's, when it names exactly one. */
    public String onlyTeam() {
        return teams.size() == 1 ? teams.get(0) : null;
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
