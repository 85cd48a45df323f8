package org.lorafoundry.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.http.Query;
import org.lorafoundry.cli.output.Table;

/** {@code foundry admin}: teams and quotas, tokens. Platform admins only (403 for everyone else). */
@Command(name = "admin", description = "Platform administration (admins only): teams and quotas, tokens.",
        subcommands = {AdminCommand.Teams.class, AdminCommand.Tokens.class})
final class AdminCommand {

    @ParentCommand
    FoundryCommand root;

    /** {@code foundry admin teams list|set}. */
    @Command(name = "teams", description = "Teams and their quotas.")
    static final class Teams {

        @ParentCommand
        AdminCommand admin;

        @Command(name = "list", description = "Every team with its quotas.")
        int list() {
            FoundryCommand root = admin.root;
            JsonNode teams = root.api().get(Service.JOBS, "/admin/teams", Query.of());
            if (root.output().json()) {
                root.output().json(teams);
                return ExitCode.OK.code();
            }
            Table table = Table.of("TEAM", "MAX RUNNING", "MAX QUEUED", "WEIGHT", "PRIORITIES");
            for (JsonNode team : teams) {
                table.row(team.path("name").asText(), team.path("maxRunning").asInt(), team.path("maxQueued").asInt(),
                        team.path("weight").asDouble(), join(team.path("priorities")));
            }
            root.output().table(table, "No teams.");
            return ExitCode.OK.code();
        }

        @Command(name = "set", description = {"Create a team or change its quotas (and create its command topics).",
                "Options left out keep the team's current values; a new team needs all four."})
        int set(@Parameters(paramLabel = "TEAM") String name,
                @Option(names = "--max-running", paramLabel = "N", description = "Jobs on workers at once.")
                Integer maxRunning,
                @Option(names = "--max-queued", paramLabel = "N", description = "Jobs waiting at once.")
                Integer maxQueued,
                @Option(names = "--weight", paramLabel = "W", description = "Fair-share weight.") Double weight,
                @Option(names = "--priorities", split = ",", paramLabel = "P",
                        description = "Allowed priority classes, e.g. LOW,NORMAL,HIGH.") List<String> priorities) {
            FoundryCommand root = admin.root;
            JsonNode current = null;
            for (JsonNode team : root.api().get(Service.JOBS, "/admin/teams", Query.of())) {
                if (team.path("name").asText().equals(name)) {
                    current = team;
                }
            }
            if (current == null && (maxRunning == null || maxQueued == null || weight == null || priorities == null)) {
                throw CliException.usage("Team " + name + " is new: give --max-running, --max-queued, --weight and "
                        + "--priorities");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("maxRunning", maxRunning != null ? maxRunning : current.path("maxRunning").asInt());
            body.put("maxQueued", maxQueued != null ? maxQueued : current.path("maxQueued").asInt());
            body.put("weight", weight != null ? weight : current.path("weight").asDouble());
            body.put("priorities", priorities != null ? priorities : current.path("priorities"));
            JsonNode team = root.api().send(Service.JOBS, "PUT", "/admin/teams/" + Query.segment(name), Query.of(),
                    body, Map.of()).body();
            if (root.output().json()) {
                root.output().json(team);
            } else {
                root.output().line((current == null ? "Created" : "Updated") + " team " + team.path("name").asText()
                        + ": max running " + team.path("maxRunning").asInt() + ", max queued "
                        + team.path("maxQueued").asInt() + ", weight " + team.path("weight").asDouble()
                        + ", priorities " + join(team.path("priorities")));
            }
            return ExitCode.OK.code();
        }
    }

    /** {@code foundry admin tokens create}. */
    @Command(name = "tokens", description = "Bearer tokens for people and tools.")
    static final class Tokens {

        @ParentCommand
        AdminCommand admin;

        @Command(name = "create", description = {"Mint a token for a subject, its teams and roles.",
                "Prints only the token (TOKEN=$(foundry admin tokens create ...)); --json prints its details too."})
        int create(@Option(names = "--subject", required = true, paramLabel = "NAME") String subject,
                @Option(names = "--teams", split = ",", paramLabel = "TEAM", description = "Its teams, e.g. demo,nlp.")
                List<String> teams,
                @Option(names = "--roles", split = ",", paramLabel = "ROLE",
                        description = "member (default), maintainer, admin.") List<String> roles,
                @Option(names = "--days", paramLabel = "N", description = "Valid for 1..365 days (default 30).")
                Integer days) {
            FoundryCommand root = admin.root;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("subject", subject);
            body.put("teams", teams == null ? List.of() : teams);
            body.put("roles", roles);
            body.put("days", days);
            JsonNode minted = root.api().send(Service.JOBS, "POST", "/admin/tokens", Query.of(), body, Map.of()).body();
            if (root.output().json()) {
                root.output().json(minted);
            } else {
                root.output().line(minted.path("token").asText());
                root.output().note("Token for " + minted.path("subject").asText() + " (teams " + join(minted.path("teams"))
                        + "; roles " + join(minted.path("roles")) + "), valid " + minted.path("days").asInt() + " days");
            }
            return ExitCode.OK.code();
        }
    }

    private static String join(JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return String.join(",", values);
    }
}
