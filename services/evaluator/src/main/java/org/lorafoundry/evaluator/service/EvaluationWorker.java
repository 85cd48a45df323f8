package org.lorafoundry.evaluator.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.evaluator.config.EvaluatorConfig;
import org.lorafoundry.evaluator.persistence.EvaluationRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The evaluator's worker threads ({@code foundry.evaluator.concurrency}), apart from the Kafka consumers: each claims
 * a run ({@link EvaluationClaims}), runs it ({@link EvaluationRunner}) and finishes it ({@link EvaluationCompletion}),
 * then looks for the next; idle workers wake on {@link WorkSignal} or every poll interval (to take over evaluations a
 * dead instance left behind). A separate thread renews the leases of the runs in progress every third of the lease.
 * At shutdown the runs in progress are released to PENDING so another instance starts them at once.
 */
@ApplicationScoped
public class EvaluationWorker {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationWorker.class);

    private final EvaluationClaims claims;
    private final EvaluationRunner runner;
    private final EvaluationCompletion completion;
    private final EvaluationRepository evaluations;
    private final WorkSignal signal;
    private final EvaluatorConfig config;
    private final String runnerId;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private ExecutorService workers;
    private ScheduledExecutorService leases;

    EvaluationWorker(EvaluationClaims claims, EvaluationRunner runner, EvaluationCompletion completion,
            EvaluationRepository evaluations, WorkSignal signal, EvaluatorConfig config,
            @ConfigProperty(name = "quarkus.application.name") String application) {
        this.claims = claims;
        this.runner = runner;
        this.completion = completion;
        this.evaluations = evaluations;
        this.signal = signal;
        this.config = config;
        this.runnerId = application + "@" + host() + "/" + ProcessHandle.current().pid();
    }

    void start(@Observes StartupEvent event) {
        AtomicInteger number = new AtomicInteger();
        workers = Executors.newFixedThreadPool(config.concurrency(),
                task -> daemon(task, "evaluation-worker-" + number.incrementAndGet()));
        for (int i = 0; i < config.concurrency(); i++) {
            workers.execute(this::work);
        }
        leases = Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "evaluation-leases"));
        long renewEvery = Math.max(1, config.lease().toMillis() / 3);
        leases.scheduleWithFixedDelay(this::renewLeases, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        LOG.info("{} evaluation worker(s) started as {}", config.concurrency(), runnerId);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        signal.signal();
        if (leases != null) {
            leases.shutdownNow();
        }
        if (workers != null) {
            workers.shutdownNow();
            workers.awaitTermination(5, TimeUnit.SECONDS);
        }
        try {
            int released = evaluations.release(Set.copyOf(running));
            if (released > 0) {
                LOG.info("Released {} evaluation(s) in progress for another instance", released);
            }
        } catch (Exception e) {
            LOG.warn("Cannot release the evaluations in progress (their leases will expire instead): {}", e.toString());
        }
    }

    private void work() {
        while (!stopping) {
            try {
                Optional<Claim> claim = claims.claimNext(runnerId);
                if (claim.isPresent()) {
                    run(claim.get());
                } else {
                    signal.await(config.pollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) { // a worker thread must outlive any failure, or evaluations would stop silently
                if (stopping) {
                    return;
                }
                LOG.error("Evaluation worker failed (retrying in {})", config.pollInterval(), e);
                pause(config.pollInterval());
            }
        }
    }

    private void run(Claim claim) throws Exception {
        running.add(claim.token());
        MDC.put("job", claim.evaluation().jobId());
        try {
            LOG.info("Evaluating job {} (attempt {}) against {}", claim.evaluation().jobId(),
                    claim.evaluation().attemptId(), claim.plan().baseline().baseline().getDescription());
            completion.finish(claim, runner.run(claim));
        } finally {
            running.remove(claim.token());
            MDC.remove("job");
        }
    }

    private void renewLeases() {
        try {
            Set<UUID> renewing = Set.copyOf(running);
            Set<UUID> held = evaluations.renewLeases(renewing, config.lease());
            // a run that finished meanwhile is not lost; one still running without its lease is
            long lost = renewing.stream().filter(token -> !held.contains(token) && running.contains(token)).count();
            if (lost > 0) {
                LOG.warn("{} evaluation run(s) lost their lease: another instance may take them over, and their "
                        + "outcome will be dropped", lost);
            }
        } catch (Exception e) {
            LOG.warn("Cannot renew evaluation leases (will retry): {}", e.toString());
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
