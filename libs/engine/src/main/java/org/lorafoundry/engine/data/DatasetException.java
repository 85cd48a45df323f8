package org.lorafoundry.engine.data;

/** A training data file or row that cannot be used; the message names the file and (1-based) line. */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
