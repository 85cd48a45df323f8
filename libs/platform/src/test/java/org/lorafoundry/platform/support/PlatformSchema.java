package org.lorafoundry.platform.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.lorafoundry.testkit.Database;
import org.lorafoundry.testkit.FoundryInfrastructure;

/** A fresh database with the platform migration applied, as a minimal DataSource (no pool needed in these tests). */
public final class PlatformSchema implements DataSource {

    private final Database database;

    private PlatformSchema(Database database) {
        this.database = database;
    }

    public static PlatformSchema create() throws SQLException, IOException {
        PlatformSchema schema = new PlatformSchema(FoundryInfrastructure.get().newDatabase("platform_it"));
        try (InputStream in = PlatformSchema.class.getClassLoader()
                .getResourceAsStream("db/platform/V0_1__platform_outbox_and_processed_events.sql");
             Connection connection = schema.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return schema;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return database.connect();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return database.connect();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
