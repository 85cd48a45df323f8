package org.lorafoundry.trainer.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.trainer.config.TrainerConfig;

/** Who this worker is: its id, host and start time (stable for the life of the process). */
@ApplicationScoped
public class WorkerIdentity {

    private final String workerId;
    private final String host;
    private final Instant startedAt = Instant.now();

    WorkerIdentity(TrainerConfig config) {
        this.host = hostName();
        this.workerId = config.workerId().filter(id -> !id.isBlank())
                .orElse(host + "-" + ProcessHandle.current().pid());
    }

    public String workerId() {
        return workerId;
    }

    public String host() {
        return host;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public String actor() {
        return "worker:" + workerId;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
