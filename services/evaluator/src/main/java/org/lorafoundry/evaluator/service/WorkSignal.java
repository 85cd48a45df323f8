package org.lorafoundry.evaluator.service;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

/** "There is new work": the consumer signals after recording an evaluation, idle workers wait for it (or time out). */
@ApplicationScoped
public class WorkSignal {

    private final Object lock = new Object();
    private boolean signalled;

    public void signal() {
        synchronized (lock) {
            signalled = true;
            lock.notifyAll();
        }
    }

    /** Waits until signalled (a signal given while nobody waited counts) or the timeout passes. */
    public void await(Duration timeout) throws InterruptedException {
        synchronized (lock) {
            if (!signalled) {
                lock.wait(Math.max(1, timeout.toMillis()));
            }
            signalled = false;
        }
    }
}
