package org.lorafoundry.platform.auth;

import java.util.Objects;
import java.util.Set;

/**
 * Who makes a REST call: the token's subject, the teams it belongs to, and its roles. Every read and write of team data
 * is checked against it; another team's private data must look absent (404), never forbidden (403).
 *
 * @param subject the token's {@code sub}, recorded as the actor of what the call changes
 * @param teams   the token's {@code teams} claim
 * @param roles   from the token's {@code groups} claim
 */
public record Caller(String subject, Set<String> teams, Set<Role> roles) {

    public Caller {
        Objects.requireNonNull(subject, "subject");
        teams = Set.copyOf(teams);
        roles = Set.copyOf(roles);
    }

    public boolean isAdmin() {
        return roles.contains(Role.ADMIN);
    }

    public boolean isMemberOf(String team) {
        return teams.contains(team);
    }

    /** Whether the caller may see the team's private data. */
    public boolean canSee(String team) {
        return isAdmin() || isMemberOf(team);
    }

    /** Whether the caller may act as a maintainer of the team (promote, override a gate). */
    public boolean canMaintain(String team) {
        return isAdmin() || (isMemberOf(team) && roles.contains(Role.MAINTAINER));
    }

    /** Recorded as who did something: {@code user:<subject>}. */
    public String actor() {
        return "user:" + subject;
    }
}
