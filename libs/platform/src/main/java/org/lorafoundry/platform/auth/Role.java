package org.lorafoundry.platform.auth;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do in its teams. Carried in the token's {@code groups} claim, lower case. */
public enum Role {
    /** Submits and reads the team's jobs, datasets and adapters. */
    MEMBER,
    /** A member who may also move aliases (promote) and override gates with a recorded reason. */
    MAINTAINER,
    /** Operates the platform: every team's data, teams, quotas, tokens, base models. */
    ADMIN;

    public String claim() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromClaim(String value) {
        for (Role role : values()) {
            if (role.claim().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
