package org.lorafoundry.jobs.domain;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.lorafoundry.proto.v1.JobState;

/**
 * The job state machine of DESIGN.md: {@code SUBMITTED -> VALIDATING -> QUEUED -> DISPATCHED -> RUNNING -> EVALUATING ->
 * SUCCEEDED | REJECTED}, with FAILED and CANCELLED reachable from every non-final state and CANCEL_REQUESTED in between
 * while a worker stops. Anything else is an illegal transition, which callers ignore and count, never apply.
 */
public final class JobLifecycle {

    private static final Set<JobState> FINAL = EnumSet.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_REJECTED,
            JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED);

    private static final Map<JobState, Set<JobState>> FORWARD = new EnumMap<>(JobState.class);

    static {
        FORWARD.put(JobState.JOB_STATE_SUBMITTED, EnumSet.of(JobState.JOB_STATE_VALIDATING));
        FORWARD.put(JobState.JOB_STATE_VALIDATING, EnumSet.of(JobState.JOB_STATE_QUEUED));
        FORWARD.put(JobState.JOB_STATE_QUEUED, EnumSet.of(JobState.JOB_STATE_DISPATCHED));
        // A lost worker sends its job back to the queue.
        FORWARD.put(JobState.JOB_STATE_DISPATCHED, EnumSet.of(JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_QUEUED));
        FORWARD.put(JobState.JOB_STATE_RUNNING, EnumSet.of(JobState.JOB_STATE_EVALUATING, JobState.JOB_STATE_QUEUED));
        FORWARD.put(JobState.JOB_STATE_EVALUATING, EnumSet.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_REJECTED));
        FORWARD.put(JobState.JOB_STATE_CANCEL_REQUESTED, EnumSet.noneOf(JobState.class));
    }

    private JobLifecycle() {
    }

    public static boolean isFinal(JobState state) {
        return FINAL.contains(state);
    }

    public static boolean canMove(JobState from, JobState to) {
        if (from == null || isFinal(from) || from == to) {
            return false;
        }
        if (to == JobState.JOB_STATE_FAILED || to == JobState.JOB_STATE_CANCELLED) {
            return true;
        }
        if (to == JobState.JOB_STATE_CANCEL_REQUESTED) {
            return from == JobState.JOB_STATE_DISPATCHED || from == JobState.JOB_STATE_RUNNING;
        }
        return FORWARD.getOrDefault(from, Set.of()).contains(to);
    }

    /** @throws IllegalTransitionException when {@link #canMove} says no */
    public static void requireMove(String jobId, JobState from, JobState to) {
        if (!canMove(from, to)) {
            throw new IllegalTransitionException(jobId, from, to);
        }
    }
}
