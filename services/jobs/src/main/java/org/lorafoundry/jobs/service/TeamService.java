package org.lorafoundry.jobs.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.runtime.StartupEvent;

import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.jobs.config.JobsConfig;
import org.lorafoundry.jobs.domain.PriorityNames;
import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.jobs.persistence.TeamRepository;
import org.lorafoundry.platform.messaging.TopicDefinitions;
import org.lorafoundry.platform.messaging.TopicProvisioner;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.persistence.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teams and their quotas: seeded at start from the teams file and {@code foundry.teams} (never overwriting what an
 * admin changed since), changed through the admin API, which also creates a new team's command topics.
 */
@ApplicationScoped
public class TeamService {

    private static final Logger LOG = LoggerFactory.getLogger(TeamService.class);

    private final Transactions transactions;
    private final TeamRepository teams;
    private final JobsConfig config;
    private final List<String> configuredTeams;
    private final Admin admin;

    TeamService(Transactions transactions, TeamRepository teams, JobsConfig config,
            @ConfigProperty(name = "foundry.teams") List<String> configuredTeams, Admin admin) {
        this.transactions = transactions;
        this.teams = teams;
        this.config = config;
        this.configuredTeams = configuredTeams;
        this.admin = admin;
    }

    void seed(@Observes StartupEvent event) throws SQLException, IOException {
        List<TeamQuota> seeds = new java.util.ArrayList<>();
        if (config.teamsFile().isPresent()) {
            seeds.addAll(readTeamsFile(Path.of(config.teamsFile().get())));
        }
        for (String name : configuredTeams) {
            if (seeds.stream().noneMatch(team -> team.team().equals(name))) {
                seeds.add(defaultQuota(name));
            }
        }
        transactions.inTransaction(tx -> {
            for (TeamQuota team : seeds) {
                if (teams.insertIfAbsent(tx, team)) {
                    LOG.info("Team {} created: {}", team.team(), team);
                }
            }
            return null;
        });
        List<String> fileTeams = seeds.stream().map(TeamQuota::team).filter(name -> !configuredTeams.contains(name)).toList();
        if (!fileTeams.isEmpty()) {
            try {
                new TopicProvisioner(admin, Duration.ofSeconds(15)).provision(onlyPerTeamTopics(), fileTeams);
            } catch (RuntimeException e) {
                LOG.warn("Command topics of teams {} not created yet ({}); PUT /admin/teams/<team> retries", fileTeams,
                        e.getMessage());
            }
        }
    }

    public List<TeamQuota> all() throws SQLException {
        return transactions.inTransaction(teams::all);
    }

    /** Creates or changes a team, and makes sure its command topics exist. */
    public TeamQuota put(TeamQuota team) throws SQLException {
        if (!Topics.isValidTeamName(team.team())) {
            throw new IllegalArgumentException("Invalid team name '" + team.team() + "': 1-63 of a-z, 0-9, '-'");
        }
        transactions.inTransaction(tx -> {
            teams.upsert(tx, team);
            return null;
        });
        new TopicProvisioner(admin, Duration.ofSeconds(15)).provision(onlyPerTeamTopics(), List.of(team.team()));
        return team;
    }

    TeamQuota defaultQuota(String name) {
        return new TeamQuota(name, config.defaultQuota().maxRunning(), config.defaultQuota().maxQueued(),
                config.defaultQuota().weight(), PriorityNames.parseAll(config.defaultQuota().priorities()));
    }

    private static TopicDefinitions onlyPerTeamTopics() {
        TopicDefinitions all = TopicDefinitions.fromClasspath();
        return new TopicDefinitions(all.topics().stream().filter(topic -> topic.perTeam()).toList(), List.of());
    }

    /** One team of the teams file. */
    public record TeamEntry(String name, int maxRunning, int maxQueued, double weight, List<String> priorities) {
    }

    record TeamsFile(List<TeamEntry> teams) {
    }

    static List<TeamQuota> readTeamsFile(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        TeamsFile parsed = yaml.readValue(Files.readString(file), TeamsFile.class);
        return parsed.teams().stream().map(entry -> new TeamQuota(entry.name(), entry.maxRunning(), entry.maxQueued(),
                entry.weight(), PriorityNames.parseAll(entry.priorities()))).toList();
    }
}
