package org.lorafoundry.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Coordinates of one PostgreSQL database.
 *
 * @param jdbcUrl  e.g. {@code jdbc:postgresql://127.0.0.1:5432/foundry_test_ab12}
 * @param user     user name
 * @param password password (empty for trust authentication)
 */
public record Database(String jdbcUrl, String user, String password) {

    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    /**
     * Waits until {@code countSql} (a {@code select count(*) ...} with {@code ?} parameters) counts at least one row:
     * what a service records from events a moment after they were published.
     */
    public void awaitRow(Duration timeout, String countSql, String... parameters) throws SQLException,
            InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = connect(); PreparedStatement select = connection.prepareStatement(countSql)) {
                for (int i = 0; i < parameters.length; i++) {
                    select.setString(i + 1, parameters[i]);
                }
                try (ResultSet result = select.executeQuery()) {
                    if (result.next() && result.getLong(1) > 0) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no row within " + timeout + ": " + countSql + " " + List.of(parameters));
    }

    /** A JDBC URL of the same server naming another database. */
    Database withDatabaseName(String name) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?', Math.max(slash, 0));
        String url = jdbcUrl.substring(0, slash + 1) + name + (query < 0 ? "" : jdbcUrl.substring(query));
        return new Database(url, user, password);
    }
}
