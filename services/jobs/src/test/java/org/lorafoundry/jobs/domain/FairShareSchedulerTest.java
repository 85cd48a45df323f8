package org.lorafoundry.jobs.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.PriorityClass;

class FairShareSchedulerTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private final FairShareScheduler scheduler = new FairShareScheduler();

    @Test
    void higherPriorityGoesFirstWhateverItsAge() {
        List<QueuedJob> queue = List.of(job("old-normal", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 0),
                job("new-high", "a", PriorityClass.PRIORITY_CLASS_HIGH, 60));

        assertThat(ids(scheduler.admit(queue, quotas(quota("a", 5, 1.0)), Map.of(), 1))).containsExactly("new-high");
    }

    @Test
    void atEqualPriorityTheTeamFurthestBelowItsFairShareGoesFirst() {
        // a already runs 2 jobs, b runs 1 with the same weight: b is further below its share despite a's older job.
        List<QueuedJob> queue = List.of(job("a-1", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 0),
                job("b-1", "b", PriorityClass.PRIORITY_CLASS_NORMAL, 30));
        Map<String, TeamQuota> quotas = quotas(quota("a", 5, 1.0), quota("b", 5, 1.0));

        assertThat(ids(scheduler.admit(queue, quotas, Map.of("a", 2, "b", 1), 1))).containsExactly("b-1");
    }

    @Test
    void weightsScaleTheFairShare() {
        // a runs 2 with weight 4 (share 0.5), b runs 1 with weight 1 (share 1.0): a is further below.
        List<QueuedJob> queue = List.of(job("b-1", "b", PriorityClass.PRIORITY_CLASS_NORMAL, 0),
                job("a-1", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 30));
        Map<String, TeamQuota> quotas = quotas(quota("a", 5, 4.0), quota("b", 5, 1.0));

        assertThat(ids(scheduler.admit(queue, quotas, Map.of("a", 2, "b", 1), 1))).containsExactly("a-1");
    }

    @Test
    void slotsAlternateBetweenTeamsAsSharesChange() {
        List<QueuedJob> queue = List.of(job("a-1", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 0),
                job("a-2", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 1),
                job("a-3", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 2),
                job("b-1", "b", PriorityClass.PRIORITY_CLASS_NORMAL, 3),
                job("b-2", "b", PriorityClass.PRIORITY_CLASS_NORMAL, 4));
        Map<String, TeamQuota> quotas = quotas(quota("a", 5, 1.0), quota("b", 5, 1.0));

        assertThat(ids(scheduler.admit(queue, quotas, Map.of(), 4))).containsExactly("a-1", "b-1", "a-2", "b-2");
    }

    @Test
    void aTeamAtItsRunningLimitWaitsAndLeavesTheSlotToOthers() {
        List<QueuedJob> queue = List.of(job("a-urgent", "a", PriorityClass.PRIORITY_CLASS_URGENT, 0),
                job("b-low", "b", PriorityClass.PRIORITY_CLASS_LOW, 10));
        Map<String, TeamQuota> quotas = quotas(quota("a", 1, 1.0), quota("b", 1, 1.0));

        assertThat(ids(scheduler.admit(queue, quotas, Map.of("a", 1), 2))).containsExactly("b-low");
        assertThat(ids(scheduler.admit(queue, quotas, Map.of("a", 1, "b", 1), 2))).isEmpty();
    }

    @Test
    void noFreeSlotAdmitsNothingButTheQueueOrderIsStillKnown() {
        List<QueuedJob> queue = List.of(job("a-1", "a", PriorityClass.PRIORITY_CLASS_NORMAL, 0),
                job("b-1", "b", PriorityClass.PRIORITY_CLASS_HIGH, 5));
        Map<String, TeamQuota> quotas = quotas(quota("a", 1, 1.0), quota("b", 1, 1.0));

        assertThat(scheduler.admit(queue, quotas, Map.of(), 0)).isEmpty();
        assertThat(ids(scheduler.queueOrder(queue, quotas, Map.of("b", 1)))).containsExactly("b-1", "a-1");
    }

    @Test
    void jobsOfUnknownTeamsAreNeverAdmitted() {
        List<QueuedJob> queue = List.of(job("x-1", "ghost", PriorityClass.PRIORITY_CLASS_URGENT, 0));
        assertThat(scheduler.admit(queue, quotas(quota("a", 1, 1.0)), Map.of(), 3)).isEmpty();
    }

    private static QueuedJob job(String id, String team, PriorityClass priority, int secondsAfterT0) {
        return new QueuedJob(id, team, priority, T0.plusSeconds(secondsAfterT0));
    }

    private static TeamQuota quota(String team, int maxRunning, double weight) {
        return new TeamQuota(team, maxRunning, 100, weight, EnumSet.allOf(PriorityClass.class));
    }

    private static Map<String, TeamQuota> quotas(TeamQuota... quotas) {
        Map<String, TeamQuota> map = new java.util.HashMap<>();
        for (TeamQuota quota : quotas) {
            map.put(quota.team(), quota);
        }
        return map;
    }

    private static List<String> ids(List<QueuedJob> jobs) {
        return jobs.stream().map(QueuedJob::jobId).toList();
    }
}
