package org.lorafoundry.testkit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What every Foundry service promises operations, checked against the real infrastructure: readiness covering Kafka and
 * the database, Prometheus metrics, an OpenAPI document, and its migrations applied in its own schema. A service's
 * {@code *IT} extends this and is annotated {@code @QuarkusTest @QuarkusTestResource(FoundryTestResource.class)}.
 */
public abstract class ServiceSkeletonContract {

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "foundry.db.schema")
    String schema;

    @Test
    void isReadyWhenKafkaAndTheDatabaseAre() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("kafka", "Database connections health check"));
    }

    @Test
    void isLive() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void exportsPrometheusMetrics() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void publishesAnOpenApiDocument() {
        given().when().get("/q/openapi?format=json").then().statusCode(200).body("openapi", containsString("3."));
    }

    @Test
    void ownsItsSchemaWithThePlatformTables() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             ResultSet rows = connection.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (rows.next()) {
                tables.add(rows.getString("TABLE_NAME"));
            }
        }
        assertThat(tables).contains("outbox", "processed_events", "flyway_schema_history");
    }
}
