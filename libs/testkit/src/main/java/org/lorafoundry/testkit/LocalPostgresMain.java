package org.lorafoundry.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

/**
 * A long-lived local PostgreSQL from the embedded binaries, for {@code infra/postgres.sh} on a machine without PostgreSQL
 * installed: {@code --port 15432 --data-dir .foundry/postgres/embedded}. Creates database {@code foundry}, prints
 * {@code READY}, and runs until killed.
 */
public final class LocalPostgresMain {

    private LocalPostgresMain() {
    }

    public static void main(String[] args) throws InterruptedException, SQLException {
        int port = 15432;
        Path dataDir = Path.of(".foundry/postgres/embedded");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--data-dir" -> dataDir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        PostgresServer server = PostgresServer.embedded(port, dataDir.toAbsolutePath(), true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        try (Connection connection = server.adminDatabase().connect(); Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("select 1 from pg_database where datname = 'foundry'")) {
                if (!exists.next()) {
                    statement.execute("create database foundry");
                }
            }
        }
        System.out.println("READY jdbc:postgresql://127.0.0.1:" + server.port() + "/foundry");
        stopped.await();
    }
}
