package org.lorafoundry.jobs.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Admission for one pool of workers (DESIGN.md, scheduling): when a slot is free, admit the next job by priority, then
 * by the team furthest below its fair share (running jobs / weight, lowest first), then by age. A team at its
 * {@code maxRunning} waits whatever its priority. Pure logic: the caller supplies the state and applies the decision.
 */
public final class FairShareScheduler {

    /**
     * Which queued jobs to admit now, in admission order.
     *
     * @param queued    every queued job
     * @param quotas    quotas by team (a job of a team without a quota is never admitted)
     * @param running   jobs holding a worker slot, by team
     * @param freeSlots worker slots free now
     */
    public List<QueuedJob> admit(List<QueuedJob> queued, Map<String, TeamQuota> quotas, Map<String, Integer> running,
            int freeSlots) {
        return order(queued, quotas, running, freeSlots, true);
    }

    /** The whole queue in the order it would be admitted if slots kept freeing up (for queue positions). */
    public List<QueuedJob> queueOrder(List<QueuedJob> queued, Map<String, TeamQuota> quotas, Map<String, Integer> running) {
        return order(queued, quotas, running, Integer.MAX_VALUE, false);
    }

    private List<QueuedJob> order(List<QueuedJob> queued, Map<String, TeamQuota> quotas, Map<String, Integer> running,
            int slots, boolean enforceMaxRunning) {
        Map<String, Integer> holding = new HashMap<>(running);
        List<QueuedJob> waiting = new ArrayList<>(queued.stream().filter(job -> quotas.containsKey(job.team())).toList());
        List<QueuedJob> admitted = new ArrayList<>();
        while (admitted.size() < slots && !waiting.isEmpty()) {
            QueuedJob next = waiting.stream()
                    .filter(job -> !enforceMaxRunning
                            || holding.getOrDefault(job.team(), 0) < quotas.get(job.team()).maxRunning())
                    .min(Comparator.comparingInt((QueuedJob job) -> -job.priority().getNumber())
                            .thenComparingDouble(job -> share(job.team(), holding, quotas))
                            .thenComparing(QueuedJob::queuedAt)
                            .thenComparing(QueuedJob::jobId))
                    .orElse(null);
            if (next == null) {
                break;
            }
            admitted.add(next);
            waiting.remove(next);
            holding.merge(next.team(), 1, Integer::sum);
        }
        return admitted;
    }

    private static double share(String team, Map<String, Integer> holding, Map<String, TeamQuota> quotas) {
        return holding.getOrDefault(team, 0) / quotas.get(team).weight();
    }
}
