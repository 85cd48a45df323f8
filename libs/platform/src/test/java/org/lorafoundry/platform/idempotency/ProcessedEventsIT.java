package org.lorafoundry.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.support.PlatformSchema;

/** Idempotent consumption against a real PostgreSQL. */
class ProcessedEventsIT {

    private PlatformSchema database;
    private Transactions transactions;

    @BeforeEach
    void setUp() throws Exception {
        database = PlatformSchema.create();
        transactions = new Transactions(database);
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("create table effects (event_id text)");
        }
    }

    @Test
    void anEventIsAppliedOnceHoweverOftenItArrives() throws Exception {
        ProcessedEvents processed = new ProcessedEvents("jobs.commands");
        for (int delivery = 0; delivery < 3; delivery++) {
            transactions.inTransaction(tx -> applyOnce(processed, tx, "event-1"));
        }
        assertThat(effects()).isEqualTo(1);
    }

    @Test
    void aFailedEffectDoesNotMarkTheEventApplied() throws Exception {
        ProcessedEvents processed = new ProcessedEvents("jobs.commands");
        assertThatThrownBy(() -> transactions.inTransaction(tx -> {
            applyOnce(processed, tx, "event-2");
            throw new IllegalStateException("crash before commit");
        })).hasMessage("crash before commit");

        transactions.inTransaction(tx -> applyOnce(processed, tx, "event-2"));
        assertThat(effects()).isEqualTo(1);
    }

    @Test
    void consumersTrackTheirEventsIndependently() throws Exception {
        transactions.inTransaction(tx -> applyOnce(new ProcessedEvents("a"), tx, "event-3"));
        transactions.inTransaction(tx -> applyOnce(new ProcessedEvents("b"), tx, "event-3"));
        assertThat(effects()).isEqualTo(2);
    }

    private static Void applyOnce(ProcessedEvents processed, Connection tx, String eventId) throws java.sql.SQLException {
        if (processed.claim(tx, eventId)) {
            try (var insert = tx.prepareStatement("insert into effects values (?)")) {
                insert.setString(1, eventId);
                insert.executeUpdate();
            }
        }
        return null;
    }

    private long effects() throws Exception {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select count(*) from effects")) {
            result.next();
            return result.getLong(1);
        }
    }
}
