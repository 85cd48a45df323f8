package org.lorafoundry.evaluator.service;

/** An event that can never be acted on however often it is retried (the consumer dead-letters it). */
public final class InvalidEventException extends Exception {

    public InvalidEventException(String message) {
        super(message);
    }
}
