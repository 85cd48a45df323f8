package org.lorafoundry.platform.quarkus;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.ws.rs.NotAuthorizedException;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.auth.Role;

/**
 * The {@link Caller} of the current REST request, from its verified bearer token. Resources (singletons) inject this
 * request-scoped bean and call {@link #get()} per request; a {@code Caller} value itself must never be held by a
 * singleton.
 */
@RequestScoped
public class CurrentCaller {

    public static final String TEAMS_CLAIM = "teams";

    private final JsonWebToken token;
    private Caller caller;

    CurrentCaller(JsonWebToken token) {
        this.token = token;
    }

    public Caller get() {
        if (caller == null) {
            caller = fromToken();
        }
        return caller;
    }

    private Caller fromToken() {
        if (token == null || token.getSubject() == null) {
            throw new NotAuthorizedException("A bearer token is required", "Bearer");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String group : token.getGroups()) {
            Role.fromClaim(group).ifPresent(roles::add);
        }
        Set<String> teams = new HashSet<>();
        Object claim = token.getClaim(TEAMS_CLAIM);
        if (claim instanceof JsonArray array) {
            array.forEach(value -> {
                if (value instanceof JsonString text) {
                    teams.add(text.getString());
                }
            });
        } else if (claim instanceof Iterable<?> values) {
            values.forEach(value -> teams.add(String.valueOf(value)));
        }
        return new Caller(token.getSubject(), teams, roles);
    }
}
