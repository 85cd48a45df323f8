package org.lorafoundry.jobs.rest;

import java.sql.SQLException;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.lorafoundry.jobs.domain.PriorityNames;
import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.jobs.service.TeamService;

/** Teams and quotas, for platform admins. */
@Path("/admin/teams")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class TeamAdminResource {

    @Inject
    TeamService teams;

    /** A team's quota as the API shows it; priorities without the PRIORITY_CLASS_ prefix. */
    public record TeamView(String name, int maxRunning, int maxQueued, double weight, List<String> priorities) {

        static TeamView of(TeamQuota quota) {
            return new TeamView(quota.team(), quota.maxRunning(), quota.maxQueued(), quota.weight(),
                    quota.allowedPriorities().stream().map(PriorityNames::shortName).sorted().toList());
        }
    }

    @GET
    @Operation(summary = "Every team with its quotas")
    public List<TeamView> list() throws SQLException {
        return teams.all().stream().map(TeamView::of).toList();
    }

    @PUT
    @Path("/{team}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or change a team", description = "Creates the team's command topics too.")
    public TeamView put(@PathParam("team") String team, TeamView body) throws SQLException {
        if (body == null || body.priorities() == null || body.priorities().isEmpty()) {
            throw new IllegalArgumentException("give maxRunning, maxQueued, weight and priorities (e.g. [\"NORMAL\"])");
        }
        return TeamView.of(teams.put(new TeamQuota(team, body.maxRunning(), body.maxQueued(), body.weight(),
                PriorityNames.parseAll(body.priorities()))));
    }
}
