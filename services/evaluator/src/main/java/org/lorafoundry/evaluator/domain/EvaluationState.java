package org.lorafoundry.evaluator.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of one evaluation (a row of {@code evaluations}), so that a crash never loses one:
 * <pre>
 *   PENDING ──claim──▶ RUNNING ──▶ COMPLETED | FAILED
 *      │                 │  ▲
 *      │                 │  └── lease expired: another run takes over (RUNNING again)
 *      │                 └──── released at graceful shutdown (PENDING again)
 *      └──▶ FAILED       refused before it started (invalid gate policy, baseline unusable, too many interrupted runs)
 * </pre>
 * The consumer commits PENDING with the Kafka offset; a worker claims it; the verdict and its event commit together.
 */
public enum EvaluationState {
    PENDING, RUNNING, COMPLETED, FAILED;

    public boolean isFinal() {
        return this == COMPLETED || this == FAILED;
    }

    public boolean canMoveTo(EvaluationState next) {
        return next(this).contains(next);
    }

    /** @throws IllegalStateException when the move is not in the lifecycle */
    public void requireMoveTo(EvaluationState next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("an evaluation cannot move from " + this + " to " + next);
        }
    }

    private static Set<EvaluationState> next(EvaluationState state) {
        return switch (state) {
            case PENDING -> EnumSet.of(RUNNING, FAILED);
            case RUNNING -> EnumSet.of(RUNNING, PENDING, COMPLETED, FAILED);
            case COMPLETED, FAILED -> EnumSet.noneOf(EvaluationState.class);
        };
    }
}
