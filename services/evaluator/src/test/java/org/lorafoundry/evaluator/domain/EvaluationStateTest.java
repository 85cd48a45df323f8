package org.lorafoundry.evaluator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EvaluationStateTest {

    @Test
    void theLifecycleMovesForwardAndLetsRunsBeTakenOverOrReleased() {
        assertThat(EvaluationState.PENDING.canMoveTo(EvaluationState.RUNNING)).isTrue();
        assertThat(EvaluationState.PENDING.canMoveTo(EvaluationState.FAILED)).isTrue(); // refused before it started
        assertThat(EvaluationState.PENDING.canMoveTo(EvaluationState.COMPLETED)).isFalse(); // no verdict without a run
        assertThat(EvaluationState.RUNNING.canMoveTo(EvaluationState.RUNNING)).isTrue();  // lease taken over
        assertThat(EvaluationState.RUNNING.canMoveTo(EvaluationState.PENDING)).isTrue();  // released at shutdown
        assertThat(EvaluationState.RUNNING.canMoveTo(EvaluationState.COMPLETED)).isTrue();
        assertThat(EvaluationState.RUNNING.canMoveTo(EvaluationState.FAILED)).isTrue();
    }

    @Test
    void finishedEvaluationsNeverChangeAgain() {
        for (EvaluationState next : EvaluationState.values()) {
            assertThat(EvaluationState.COMPLETED.canMoveTo(next)).isFalse();
            assertThat(EvaluationState.FAILED.canMoveTo(next)).isFalse();
        }
        assertThat(EvaluationState.COMPLETED.isFinal()).isTrue();
        assertThat(EvaluationState.RUNNING.isFinal()).isFalse();
        assertThatThrownBy(() -> EvaluationState.COMPLETED.requireMoveTo(EvaluationState.RUNNING))
                .hasMessageContaining("COMPLETED to RUNNING");
    }
}
