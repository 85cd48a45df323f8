package org.lorafoundry.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.persistence.EvaluationRepository;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.Baseline;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An evaluator instance that dies mid-evaluation loses nothing: its RUNNING row (written here as a dead instance
 * would have left it) is taken over once its lease expires, not before; one that keeps dying fails for good.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class EvaluationRecoveryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    BlobStore blobs;
    @Inject
    Transactions transactions;
    @Inject
    EvaluationRepository evaluations;
    @Inject
    DataSource dataSource;
    @Inject
    ScriptedModelEvaluator scripted;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    EvaluatorTestSupport support;
    String team;
    ResolvedBaseModel base;
    ResolvedDataset dates;

    @BeforeEach
    void fixtures() throws Exception {
        support = new EvaluatorTestSupport(blobs, bootstrapServers);
        team = "rec-" + EvaluatorTestSupport.suffix();
        base = support.baseModel("tiny-" + team, EvaluationFlowIT.BASE_METRICS);
        dates = support.dataset(team, "dates", EvaluatorTestSupport.DATE_ROWS);
    }

    @Test
    void anEvaluationAbandonedByADeadInstanceIsTakenOverOnceItsLeaseExpires() throws Exception {
        String job = team + "-abandoned";
        abandoned(job, 1, "now() - interval '1 second'");
        List<EvaluationEvent> events = support.events(job, 1, WAIT);
        assertThat(events.get(0).getEvaluationCompleted().getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
        // the dead run announced the start already; the run that took over keeps its baseline
        assertThat(events.get(0).getEvaluationCompleted().getBaseline().getDescription()).isEqualTo("as first chosen");
        assertThat(support.allEvents(job, Duration.ofSeconds(2))).extracting(EvaluationEvent::getEventCase)
                .containsExactly(EvaluationEvent.EventCase.EVALUATION_COMPLETED);
        assertThat(stateAndRuns(job)).isEqualTo("COMPLETED/2");
    }

    @Test
    void aRunWhoseLeaseIsAliveIsLeftAlone() throws Exception {
        String job = team + "-alive";
        abandoned(job, 1, "now() + interval '1 hour'");
        assertThat(support.allEvents(job, Duration.ofSeconds(3))).isEmpty();
        assertThat(stateAndRuns(job)).isEqualTo("RUNNING/1");
        assertThat(scripted.callsFor(job)).isEmpty();
        // once that instance's lease runs out, the evaluation is finished by another
        expireLease(job);
        assertThat(support.events(job, 1, WAIT).get(0).hasEvaluationCompleted()).isTrue();
    }

    @Test
    void anEvaluationInterruptedAsOftenAsAllowedFailsInsteadOfKillingTheNextInstance() throws Exception {
        String job = team + "-poison";
        abandoned(job, 3, "now() - interval '1 second'");
        EvaluationEvent event = support.events(job, 1, WAIT).get(0);
        assertThat(event.getEvaluationFailed().getCode()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_INTERNAL);
        assertThat(event.getEvaluationFailed().getMessage()).contains("interrupted 3 times")
                .contains("max_eval_examples");
        assertThat(stateAndRuns(job)).isEqualTo("FAILED/3");
        assertThat(scripted.callsFor(job)).isEmpty();
    }

    /** Writes the row a dead instance leaves behind: RUNNING under its token, the plan chosen, the lease as given. */
    private void abandoned(String job, int runs, String leaseUntil) throws Exception {
        TrainingSucceeded training = EvaluatorTestSupport.training(team, job, "dates", base, dates,
                support.adapter("checkpoints/" + job + "/final", job, EvaluationFlowIT.GOOD_ADAPTER),
                EvaluationFlowIT.POLICY);
        Baseline baseline = Baseline.newBuilder().setKind(BaselineKind.BASELINE_KIND_BASE_MODEL)
                .setBaseModelName(base.getName()).setDescription("as first chosen").build();
        transactions.inTransaction(tx -> {
            evaluations.enqueue(tx, EventMetadata.newEvent("TrainingSucceeded"), training.getAttemptId(), training);
            try (PreparedStatement update = tx.prepareStatement("""
                    update evaluations
                       set state = 'RUNNING', runs = ?, run_token = ?, runner = 'dead-instance',
                           lease_until = %s, gate_policy = ?, policy_source = 'JOB', baseline = ?, started_at = now()
                     where job_id = ?""".formatted(leaseUntil))) {
                update.setInt(1, runs);
                update.setObject(2, UUID.randomUUID());
                update.setBytes(3, EvaluationFlowIT.POLICY.toByteArray());
                update.setBytes(4, baseline.toByteArray());
                update.setString(5, job);
                return update.executeUpdate();
            }
        });
    }

    private void expireLease(String job) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(
                "update evaluations set lease_until = now() - interval '1 second' where job_id = ?")) {
            update.setString(1, job);
            update.executeUpdate();
        }
    }

    private String stateAndRuns(String job) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(
                "select state, runs from evaluations where job_id = ?")) {
            select.setString(1, job);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString("state") + "/" + row.getInt("runs");
            }
        }
    }
}
