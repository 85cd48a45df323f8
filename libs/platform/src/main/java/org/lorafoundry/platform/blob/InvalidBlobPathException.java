package org.lorafoundry.platform.blob;

/** A blob path or URI that is not inside the store: absolute, with {@code ..}, empty segments or a foreign location. */
public final class InvalidBlobPathException extends IllegalArgumentException {

    public InvalidBlobPathException(String message) {
        super(message);
    }
}
