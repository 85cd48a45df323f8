package org.lorafoundry.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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

    /** A JDBC URL of the same server naming another database. */
    Database withDatabaseName(String name) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?', Math.max(slash, 0));
        String url = jdbcUrl.substring(0, slash + 1) + name + (query < 0 ? "" : jdbcUrl.substring(query));
        return new Database(url, user, password);
    }
}
