package org.lorafoundry.platform.quarkus;

import java.io.IOException;
import java.nio.file.Path;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.blob.FileBlobStore;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.platform.persistence.Transactions;

/** The framework-neutral platform pieces, as beans. */
@ApplicationScoped
public class PlatformBeans {

    @Produces
    @Singleton
    Outbox outbox() {
        return new Outbox();
    }

    @Produces
    @Singleton
    BlobStore blobStore(@ConfigProperty(name = "foundry.blob.root") Path root) throws IOException {
        return new FileBlobStore(root);
    }

    @Produces
    @Singleton
    Transactions transactions(DataSource dataSource) {
        return new Transactions(dataSource);
    }
}
