package org.lorafoundry.cli.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What {@code foundry login} stores in the config file ({@code ~/.config/foundry/config.json}); every field is optional.
 *
 * @param token          the bearer JWT sent to every service
 * @param team           the team commands act for when none is given
 * @param jobsUrl        base URL of the jobs service
 * @param datasetsUrl    base URL of the datasets service
 * @param registryUrl    base URL of the registry
 * @param kafkaBootstrap Kafka bootstrap servers for {@code jobs submit --kafka}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true) // a newer CLI's file still loads
public record CliConfig(String token, String team, String jobsUrl, String datasetsUrl, String registryUrl,
        String kafkaBootstrap) {

    public static final CliConfig EMPTY = new CliConfig(null, null, null, null, null, null);

    public String url(Service service) {
        return switch (service) {
            case JOBS -> jobsUrl;
            case DATASETS -> datasetsUrl;
            case REGISTRY -> registryUrl;
        };
    }

    /** This config with {@code other}'s non-null fields written over it. */
    public CliConfig overriddenBy(CliConfig other) {
        return new CliConfig(pick(other.token, token), pick(other.team, team), pick(other.jobsUrl, jobsUrl),
                pick(other.datasetsUrl, datasetsUrl), pick(other.registryUrl, registryUrl),
                pick(other.kafkaBootstrap, kafkaBootstrap));
    }

    /** This config with another team (null: none). */
    public CliConfig withTeam(String newTeam) {
        return new CliConfig(token, newTeam, jobsUrl, datasetsUrl, registryUrl, kafkaBootstrap);
    }

    private static String pick(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }
}
