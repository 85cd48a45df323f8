package org.lorafoundry.jobs.rest;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.quarkus.TokenIssuer;

/** Tokens for people and tools, minted by admins (the embedded default; production uses its OIDC provider). */
@Path("/admin/tokens")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class TokenAdminResource {

    @Inject
    TokenIssuer issuer;

    public record TokenRequest(String subject, List<String> teams, List<String> roles, Integer days) {
    }

    public record TokenResponse(String token, String subject, List<String> teams, List<String> roles, int days) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Mint a bearer token for a subject, its teams and roles (member, maintainer, admin)")
    public TokenResponse mint(TokenRequest request) {
        if (request == null || request.subject() == null) {
            throw new IllegalArgumentException("give subject, teams and roles");
        }
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        for (String role : request.roles() == null ? List.of("member") : request.roles()) {
            roles.add(Role.fromClaim(role).orElseThrow(() ->
                    new IllegalArgumentException("Unknown role '" + role + "' (member, maintainer, admin)")));
        }
        int days = request.days() == null ? 30 : request.days();
        if (days < 1 || days > 365) {
            throw new IllegalArgumentException("days must be 1..365");
        }
        List<String> teams = request.teams() == null ? List.of() : request.teams();
        String token = issuer.mint(request.subject(), teams, roles, Duration.ofDays(days));
        return new TokenResponse(token, request.subject(), teams, roles.stream().map(Role::claim).toList(), days);
    }
}
