package org.lorafoundry.trainer.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.lorafoundry.trainer.config.TrainerConfig;
import org.lorafoundry.trainer.messaging.TaskQueue;
import org.lorafoundry.trainer.service.RunningAttempts;
import org.lorafoundry.trainer.service.TrainingDevice;

/** Live while the task-queue thread runs (a worker whose queue died takes no tasks and should be restarted). */
@Liveness
@ApplicationScoped
public class TaskQueueHealthCheck implements HealthCheck {

    private final TaskQueue queue;
    private final TrainerConfig config;
    private final RunningAttempts running;
    private final TrainingDevice device;

    TaskQueueHealthCheck(TaskQueue queue, TrainerConfig config, RunningAttempts running, TrainingDevice device) {
        this.queue = queue;
        this.config = config;
        this.running = running;
        this.device = device;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("training task queue")
                .withData("enabled", config.enabled())
                .withData("device", device.description())
                .withData("job", running.current().map(a -> a.jobId() + " step " + a.step().get()).orElse("idle"));
        return response.status(!config.enabled() || queue.running()).build();
    }
}
