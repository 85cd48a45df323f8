package org.lorafoundry.platform.quarkus;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

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
    Transactions transactions(DataSource dataSource) {
        return new Transactions(dataSource);
    }
}
