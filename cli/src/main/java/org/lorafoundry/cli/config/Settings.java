package org.lorafoundry.cli.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import org.lorafoundry.cli.CliException;

/**
 * The settings one command runs with. Each comes from the first place that has it: a command-line flag, the
 * environment ({@code FOUNDRY_TOKEN}, {@code FOUNDRY_TEAM}, {@code FOUNDRY_JOBS_URL}, {@code FOUNDRY_DATASETS_URL},
 * {@code FOUNDRY_REGISTRY_URL}, {@code KAFKA_BOOTSTRAP_SERVERS}), the config file, the local defaults of
 * {@code ./foundry up}.
 *
 * @param token          the bearer token; null when none is configured (the services then answer 401)
 * @param team           the team named by a flag, the environment or the config; null when none is
 * @param urls           every service's base URL, without a trailing slash
 * @param kafkaBootstrap Kafka bootstrap servers
 */
public record Settings(String token, String team, Map<Service, URI> urls, String kafkaBootstrap) {

    public static final String DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092";

    public Settings {
        urls = Map.copyOf(urls);
    }

    /**
     * @param flags  what the command line said (null fields: not given)
     * @param stored the config file's content
     */
    public static Settings resolve(CliConfig flags, Map<String, String> environment, CliConfig stored) {
        CliConfig merged = stored.overriddenBy(fromEnvironment(environment)).overriddenBy(flags);
        Map<Service, URI> urls = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            String url = merged.url(service);
            urls.put(service, url == null ? service.defaultUrl() : parseUrl(service, url));
        }
        return new Settings(blankToNull(merged.token()), blankToNull(merged.team()), urls,
                Optional.ofNullable(blankToNull(merged.kafkaBootstrap())).orElse(DEFAULT_KAFKA_BOOTSTRAP));
    }

    /** The settings the environment gives, as a config (unset and blank variables are null). */
    public static CliConfig fromEnvironment(Map<String, String> environment) {
        return new CliConfig(blankToNull(environment.get("FOUNDRY_TOKEN")), blankToNull(environment.get("FOUNDRY_TEAM")),
                blankToNull(environment.get(Service.JOBS.environmentVariable())),
                blankToNull(environment.get(Service.DATASETS.environmentVariable())),
                blankToNull(environment.get(Service.REGISTRY.environmentVariable())),
                blankToNull(environment.get("KAFKA_BOOTSTRAP_SERVERS")));
    }

    public URI url(Service service) {
        return urls.get(service);
    }

    public Optional<TokenClaims> claims() {
        return Optional.ofNullable(token).map(TokenClaims::of);
    }

    /**
     * The team a command acts for: the one configured, else the token's only team. Null when neither says; the
     * services then decide (a caller of one team needs none).
     */
    public String effectiveTeam() {
        if (team != null) {
            return team;
        }
        return claims().map(TokenClaims::onlyTeam).orElse(null);
    }

    /** {@link #effectiveTeam()}, required: for what the CLI must address itself (a team's Kafka topic, an adapter). */
    public String requireTeam(String forWhat) {
        String resolved = effectiveTeam();
        if (resolved == null) {
            throw CliException.usage("Say which team " + forWhat + ": --team NAME (or FOUNDRY_TEAM, or 'foundry login "
                    + "--team NAME'); the token does not name exactly one team");
        }
        return resolved;
    }

    private static URI parseUrl(Service service, String text) {
        String trimmed = text.strip().replaceAll("/+$", "");
        try {
            URI uri = new URI(trimmed);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw CliException.usage("The " + service.displayName() + " URL '" + text + "' is not an http(s) URL with a "
                + "host, e.g. http://127.0.0.1:8082 (" + service.flag() + ", " + service.environmentVariable()
                + " or the config file)");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
