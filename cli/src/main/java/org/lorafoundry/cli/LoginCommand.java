package org.lorafoundry.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import org.lorafoundry.cli.config.CliConfig;
import org.lorafoundry.cli.config.ConfigStore;
import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.config.Settings;
import org.lorafoundry.cli.config.TokenClaims;
import org.lorafoundry.cli.http.ApiClient;
import org.lorafoundry.cli.http.ApiError;
import org.lorafoundry.cli.http.Query;
import org.lorafoundry.cli.output.Fields;

/**
 * {@code foundry login}: checks a token with the jobs service and stores it in the config file (600), with the team,
 * service URLs and Kafka servers given on the same line, so later commands need none of them.
 */
@Command(name = "login", description = {"Store a bearer token (and the team, service URLs, Kafka servers given with it) "
        + "in the config file, after the jobs service has accepted it.",
        "A token comes from './foundry token --subject you --teams demo --roles member' or from an admin "
                + "('foundry admin tokens create')."})
final class LoginCommand implements Callable<Integer> {

    @ParentCommand
    FoundryCommand root;

    @Option(names = "--token", paramLabel = "JWT",
            description = "The token (it ends up in the shell's history: prefer --token-stdin or the prompt).")
    String token;

    @Option(names = "--token-stdin", description = "Read the token from standard input.")
    boolean tokenStdin;

    @Option(names = "--bootstrap", paramLabel = "SERVERS",
            description = "Kafka bootstrap servers to store for 'jobs submit --kafka'.")
    String bootstrap;

    @Option(names = "--no-verify", description = "Store the token without asking the jobs service whether it accepts it.")
    boolean noVerify;

    @Override
    public Integer call() {
        String jwt = readToken();
        TokenClaims claims = TokenClaims.of(jwt);
        if (claims.expiredAt(Instant.now())) {
            throw CliException.usage("That token expired at " + claims.expiresAt() + ": get a new one");
        }
        ConfigStore store = root.configStore();
        CliConfig stored = store.load();
        CliConfig given = root.flags();
        CliConfig updated = stored.overriddenBy(new CliConfig(jwt, null, given.jobsUrl(), given.datasetsUrl(),
                given.registryUrl(), bootstrap)).withTeam(team(given.team(), stored.team(), claims));
        if (!noVerify) {
            verify(updated);
        }
        store.save(updated);
        print(claims, updated, store);
        return ExitCode.OK.code();
    }

    private String readToken() {
        if (token != null && tokenStdin) {
            throw CliException.usage("Give the token once: --token or --token-stdin");
        }
        if (token != null) {
            return token.strip();
        }
        Console console = System.console();
        String read;
        if (tokenStdin || console == null || !root.environment().terminal()) {
            try {
                read = new String(root.environment().in().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw CliException.usage("Cannot read the token from standard input: " + e.getMessage());
            }
        } else {
            char[] typed = console.readPassword("Token: ");
            read = typed == null ? "" : new String(typed);
        }
        if (read.isBlank()) {
            throw CliException.usage("No token given: --token-stdin (e.g. ./foundry token ... | foundry login "
                    + "--token-stdin) or --token JWT");
        }
        return read.strip();
    }

    /**
     * The team to store: the one given, else the stored one while the new token still covers it, else none (the
     * token's only team then applies by itself).
     */
    private static String team(String given, String stored, TokenClaims claims) {
        if (given != null) {
            return given;
        }
        return stored != null && (claims.teams().isEmpty() || claims.teams().contains(stored)) ? stored : null;
    }

    /** One cheap authenticated call: a token the jobs service refuses is never stored. */
    private void verify(CliConfig updated) {
        // Flags win over the environment, so the token being checked is the one used, whatever FOUNDRY_TOKEN says.
        CliConfig flags = root.flags().overriddenBy(new CliConfig(updated.token(), null, null, null, null, null));
        Settings checked = Settings.resolve(flags, root.environment().variables(), updated);
        try {
            new ApiClient(checked, root.mapper()).get(Service.JOBS, "/jobs", Query.of().with("size", 1));
        } catch (ApiError e) {
            if (e.status() == 401) {
                throw new CliException(ExitCode.UNAUTHORISED, "TOKEN_REFUSED", "The jobs service at "
                        + checked.url(Service.JOBS) + " does not accept this token (expired, or signed by another "
                        + "platform's key); nothing was stored");
            }
            throw e;
        } catch (CliException e) {
            if (e.exitCode() == ExitCode.UNAVAILABLE) {
                throw new CliException(e.exitCode(), e.code(), e.getMessage()
                        + ". Nothing was stored; 'foundry login --no-verify' stores the token unchecked");
            }
            throw e;
        }
    }

    private void print(TokenClaims claims, CliConfig updated, ConfigStore store) {
        if (root.output().json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("subject", claims.subject());
            result.put("teams", claims.teams());
            result.put("roles", claims.roles());
            result.put("expiresAt", claims.expiresAt() == null ? null : claims.expiresAt().toString());
            result.put("team", updated.team());
            result.put("config", store.file().toAbsolutePath().toString());
            result.put("verified", !noVerify);
            root.output().json(result);
        } else {
            root.output().line("Logged in as " + claims.subject() + (noVerify ? " (not checked with the jobs service)"
                    : "") + ".");
            root.output().fields(Fields.of()
                    .add("teams", String.join(", ", claims.teams()))
                    .add("roles", String.join(", ", claims.roles()))
                    .add("expires", claims.expiresAt())
                    .add("team", updated.team())
                    .add("config", store.file().toAbsolutePath() + " (readable only by you)"));
        }
        if (root.environment().variables().get("FOUNDRY_TOKEN") != null) {
            root.output().note("note: FOUNDRY_TOKEN is set in this shell and is used instead of the stored token");
        }
    }
}
