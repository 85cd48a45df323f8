package org.lorafoundry.platform.messaging;

import java.util.Map;

/**
 * One topic of {@code infra/topics.conf}.
 *
 * @param name       the topic name; may contain {@value #TEAM_PLACEHOLDER}, expanded once per team
 * @param partitions number of partitions
 * @param configs    topic-level configs (e.g. {@code cleanup.policy=compact})
 */
public record TopicDefinition(String name, int partitions, Map<String, String> configs) {

    public static final String TEAM_PLACEHOLDER = "{team}";

    public TopicDefinition {
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least one partition");
        }
        configs = Map.copyOf(configs);
    }

    public boolean perTeam() {
        return name.contains(TEAM_PLACEHOLDER);
    }

    public TopicDefinition forTeam(String team) {
        if (!Topics.isValidTeamName(team)) {
            throw new IllegalArgumentException("Invalid team name '" + team + "'");
        }
        return new TopicDefinition(name.replace(TEAM_PLACEHOLDER, team), partitions, configs);
    }
}
