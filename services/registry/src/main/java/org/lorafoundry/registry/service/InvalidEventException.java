package org.lorafoundry.registry.service;

/** An event that can never be applied (missing team, adapter name, verdict...): it goes to the dead-letter topic. */
public class InvalidEventException extends Exception {

    public InvalidEventException(String message) {
        super(message);
    }
}
