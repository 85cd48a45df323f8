package org.lorafoundry.jobs.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.JobState;

class JobLifecycleTest {

    @Test
    void followsTheHappyPath() {
        JobState[] path = {JobState.JOB_STATE_SUBMITTED, JobState.JOB_STATE_VALIDATING, JobState.JOB_STATE_QUEUED,
            JobState.JOB_STATE_DISPATCHED, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_EVALUATING,
            JobState.JOB_STATE_SUCCEEDED};
        for (int i = 1; i < path.length; i++) {
            assertThat(JobLifecycle.canMove(path[i - 1], path[i])).as(path[i - 1] + " -> " + path[i]).isTrue();
        }
        assertThat(JobLifecycle.canMove(JobState.JOB_STATE_EVALUATING, JobState.JOB_STATE_REJECTED)).isTrue();
    }

    @Test
    void failureAndCancellationAreReachableFromEveryNonFinalState() {
        for (JobState state : JobState.values()) {
            if (state == JobState.UNRECOGNIZED || state == JobState.JOB_STATE_UNSPECIFIED) {
                continue;
            }
            boolean open = !JobLifecycle.isFinal(state);
            assertThat(JobLifecycle.canMove(state, JobState.JOB_STATE_FAILED)).as(state + " -> FAILED").isEqualTo(open);
            assertThat(JobLifecycle.canMove(state, JobState.JOB_STATE_CANCELLED)).as(state + " -> CANCELLED")
                    .isEqualTo(open);
        }
    }

    @Test
    void staleAndSkippingTransitionsAreIllegal() {
        assertThat(JobLifecycle.canMove(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_RUNNING)).isFalse();
        assertThat(JobLifecycle.canMove(JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_RUNNING)).isFalse();
        assertThat(JobLifecycle.canMove(JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_RUNNING)).isFalse();
        assertThat(JobLifecycle.canMove(JobState.JOB_STATE_QUEUED, JobState.JOB_STATE_CANCEL_REQUESTED)).isFalse();
        assertThat(JobLifecycle.canMove(JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_CANCEL_REQUESTED)).isTrue();
        assertThatThrownBy(() -> JobLifecycle.requireMove("j1", JobState.JOB_STATE_FAILED, JobState.JOB_STATE_QUEUED))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("j1");
    }
}
