package org.lorafoundry.jobs;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.jobs.service.TeamService;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.PriorityClass;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.testkit.PlatformFixtures;

/** What the jobs tests share: tokens, teams, and the facts other services would have announced, replicated. */
@ApplicationScoped
public class JobsTestSupport {

    @Inject
    TokenIssuer tokens;
    @Inject
    TeamService teams;
    @Inject
    DataSource dataSource;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    public String token(String subject, List<String> teams, Role... roles) {
        return tokens.mint(subject, teams, Set.of(roles), Duration.ofHours(1));
    }

    public String admin() {
        return token("root", List.of(), Role.ADMIN);
    }

    public void team(String name, int maxRunning, int maxQueued, double weight, PriorityClass... priorities)
            throws Exception {
        teams.put(new TeamQuota(name, maxRunning, maxQueued, weight,
                priorities.length == 0 ? EnumSet.of(PriorityClass.PRIORITY_CLASS_NORMAL, PriorityClass.PRIORITY_CLASS_LOW,
                        PriorityClass.PRIORITY_CLASS_HIGH) : EnumSet.of(priorities[0], priorities)));
    }

    public PlatformFixtures fixtures() {
        return new PlatformFixtures(bootstrapServers);
    }

    /** Announces the base model and the team's dataset, and waits until jobs has replicated both. */
    public void facts(String team, String model, String dataset) {
        PlatformFixtures fixtures = fixtures();
        fixtures.baseModel(model);
        fixtures.dataset(team, dataset, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from base_models where name = ?", model) == 1
                && count("select count(*) from dataset_versions where team = ? and name = ?", team, dataset) == 1);
    }

    public long count(String sql, Object... parameters) throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** A valid spec for the model and dataset of {@link #facts}. */
    public static JobSpec.Builder spec(String jobId, String model, String dataset) {
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId(jobId).setDisplayName("Dates to words");
        spec.getBaseModelBuilder().setName(model);
        spec.getDatasetBuilder().setName(dataset);
        spec.getLoraBuilder().setR(8).setLoraAlpha(16).addTargetModules("q_proj").addTargetModules("v_proj");
        spec.getHyperparametersBuilder().setLearningRate(3e-3).setMaxSteps(600).setPerDeviceBatchSize(32);
        spec.setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match")
                .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.9))));
        return spec;
    }
}
