package org.lorafoundry.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server for tests: the one {@code FOUNDRY_DB_URL} names, or an embedded one started from the
 * PostgreSQL binaries on Maven Central (works on a machine with only a JDK). Each caller gets its own fresh database,
 * so test classes never see each other's rows.
 */
public final class PostgresServer implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final Database admin;

    private PostgresServer(EmbeddedPostgres embedded, Database admin) {
        this.embedded = embedded;
        this.admin = admin;
    }

    /** Uses the server of {@code FOUNDRY_DB_URL} (with {@code FOUNDRY_DB_USER} / {@code FOUNDRY_DB_PASSWORD}). */
    public static PostgresServer external(String jdbcUrl, String user, String password) {
        return new PostgresServer(null, new Database(jdbcUrl, user, password));
    }

    /** Starts an embedded server on a free port with throw-away data (fsync off: test data only). */
    public static PostgresServer embedded() {
        return embedded(0, null, false);
    }

    /**
     * Starts an embedded server.
     *
     * @param port    0 for a free port
     * @param dataDir a directory that survives restarts, or null for throw-away data
     * @param durable keep fsync on (a long-lived local server) rather than off (tests)
     */
    public static PostgresServer embedded(int port, Path dataDir, boolean durable) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            if (durable) {
                // The embedded defaults favour tests (asynchronous commit); a long-lived server keeps what it commits.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            } else {
                builder.setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            builder.setServerConfig("max_connections", "300");
            EmbeddedPostgres postgres = builder.start();
            return new PostgresServer(postgres, new Database(postgres.getJdbcUrl("postgres", "postgres"), "postgres", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL", e);
        }
    }

    /** Creates a new, empty database on this server. */
    public Database createDatabase(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try (Connection connection = admin.connect(); Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database " + name + " on " + admin.jdbcUrl(), e);
        }
        return admin.withDatabaseName(name);
    }

    /** The server's administrative database (for {@code LocalPostgresMain}). */
    public Database adminDatabase() {
        return admin;
    }

    public int port() {
        return embedded == null ? -1 : embedded.getPort();
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
