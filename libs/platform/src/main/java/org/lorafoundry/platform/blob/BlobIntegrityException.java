package org.lorafoundry.platform.blob;

import java.io.IOException;

/** The bytes read are not the bytes that were written (size or checksum differ): the blob is corrupt or was replaced. */
public final class BlobIntegrityException extends IOException {

    public BlobIntegrityException(String message) {
        super(message);
    }
}
