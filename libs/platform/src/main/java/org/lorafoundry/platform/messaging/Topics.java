package org.lorafoundry.platform.messaging;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names of every Kafka topic of the platform, in one place (DESIGN.md, "Topics").
 * Partitions and configs live in {@code infra/topics.conf}; {@code TopicDefinitionsTest} keeps both in step.
 */
public final class Topics {

    public static final String JOB_COMMANDS_PREFIX = "foundry.jobs.commands.";
    public static final String DATASET_COMMANDS_PREFIX = "foundry.datasets.commands.";

    public static final String JOB_EVENTS = "foundry.jobs.events";
    public static final String DATASET_EVENTS = "foundry.datasets.events";
    public static final String TRAINING_TASKS = "foundry.training.tasks";
    public static final String TRAINING_CONTROL = "foundry.training.control";
    public static final String TRAINING_EVENTS = "foundry.training.events";
    public static final String WORKER_HEARTBEATS = "foundry.workers.heartbeats";
    public static final String EVALUATION_EVENTS = "foundry.evaluation.events";
    public static final String REGISTRY_EVENTS = "foundry.registry.events";
    public static final String DEAD_LETTERS = "foundry.dlq";

    /** Share group of the training workers (queue semantics on {@link #TRAINING_TASKS}). */
    public static final String TRAINER_SHARE_GROUP = "foundry-trainers";

    /** Team names are also topic-name segments, so they are restricted to what Kafka and URLs both accept. */
    public static final Pattern TEAM_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Topics() {
    }

    public static String jobCommands(String team) {
        return JOB_COMMANDS_PREFIX + requireTeam(team);
    }

    public static String datasetCommands(String team) {
        return DATASET_COMMANDS_PREFIX + requireTeam(team);
    }

    /**
     * The team a command belongs to is the team in its topic's name; the platform never trusts a team field in a payload.
     *
     * @return the team, or empty when the topic is not a per-team command topic of the given prefix
     */
    public static Optional<String> teamOf(String commandTopicPrefix, String topic) {
        if (topic == null || !topic.startsWith(commandTopicPrefix)) {
            return Optional.empty();
        }
        String team = topic.substring(commandTopicPrefix.length());
        return TEAM_NAME.matcher(team).matches() ? Optional.of(team) : Optional.empty();
    }

    public static boolean isValidTeamName(String team) {
        return team != null && TEAM_NAME.matcher(team).matches();
    }

    private static String requireTeam(String team) {
        if (!isValidTeamName(team)) {
            throw new IllegalArgumentException("Invalid team name '" + team + "': use 1-63 characters of a-z, 0-9 and '-', "
                    + "starting with a letter or digit");
        }
        return team;
    }
}
