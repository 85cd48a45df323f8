package org.lorafoundry.registry.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.RegistryTestSupport.Job;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Isolation between teams: another team's private adapter does not exist; a shared one is read-only. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class VisibilityIT {

    @Inject
    TokenIssuer tokens;
    @Inject
    BlobStore blobs;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void anotherTeamsPrivateAdapterIsNotFoundEverywhereAndASharedOneIsReadOnly() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "owners-" + RegistryTestSupport.suffix();
        String other = "others-" + RegistryTestSupport.suffix();
        String jobId = team + "-j1";
        support.send(RegistryTestSupport.completed(new Job(team, "secret", jobId, Verdict.VERDICT_PASSED, 0.9, 8, null,
                Map.of("project", "x"), "our secret sauce", RegistryTestSupport.writeAdapter(blobs, jobId, 8))));
        support.events(team + "/secret", RegistryEvent::hasAdapterVersionRegistered, 1, Duration.ofSeconds(60));
        String path = "/adapters/" + team + "/secret";
        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));
        String maintainer = tokens.mint("mia", List.of(team), List.of(Role.MAINTAINER), Duration.ofMinutes(10));
        String outsider = tokens.mint("bob", List.of(other), List.of(Role.MAINTAINER), Duration.ofMinutes(10));
        String admin = tokens.mint("root", List.of(), List.of(Role.ADMIN), Duration.ofMinutes(10));

        // private: every read and write of an outsider is a 404, exactly like a missing adapter
        for (String read : List.of(path, path + "/versions/1", path + "/versions/1/download", path + "/versions/1/report",
                path + "/compare?a=1&b=1", path + "/audit")) {
            given().auth().oauth2(outsider).when().get(read).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        }
        given().auth().oauth2(outsider).when().get("/adapters/" + team + "/no-such-adapter").then().statusCode(404);
        given().auth().oauth2(outsider).contentType("application/json").body("{\"version\": 1}").when()
                .put(path + "/aliases/staging").then().statusCode(404);
        given().auth().oauth2(outsider).contentType("application/json").body("{\"visibility\": \"ORG\"}").when()
                .put(path + "/visibility").then().statusCode(404);
        given().auth().oauth2(outsider).when().delete(path + "/aliases/staging").then().statusCode(404);
        given().auth().oauth2(outsider).when().get("/adapters?team=" + team).then().statusCode(200)
                .body("items.size()", equalTo(0));
        given().auth().oauth2(outsider).when().get("/adapters?q=secret+sauce&versions=all&limit=200").then()
                .statusCode(200).body("items.version.team", not(hasItem(team)));
        given().when().get(path).then().statusCode(401);
        given().auth().oauth2(admin).when().get(path).then().statusCode(200);

        // only a maintainer shares it
        given().auth().oauth2(member).contentType("application/json").body("{\"visibility\": \"ORG\"}").when()
                .put(path + "/visibility").then().statusCode(403);
        given().auth().oauth2(maintainer).contentType("application/json").body("{\"visibility\": \"everyone\"}").when()
                .put(path + "/visibility").then().statusCode(400);
        given().auth().oauth2(maintainer).contentType("application/json").body("{\"visibility\": \"ORG\"}").when()
                .put(path + "/visibility").then().statusCode(200).body("visibility", equalTo("ORG"));

        // shared: readable (search, lineage, download) by everyone, writable by nobody outside the team
        given().auth().oauth2(outsider).when().get(path).then().statusCode(200).body("visibility", equalTo("ORG"));
        given().auth().oauth2(outsider).when().get(path + "/versions/1").then().statusCode(200);
        given().auth().oauth2(outsider).when().get(path + "/versions/1/download").then().statusCode(200);
        given().auth().oauth2(outsider).when().get("/adapters?team=" + team).then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].version.visibility", equalTo("ORG"));
        given().auth().oauth2(outsider).contentType("application/json").body("{\"version\": 1}").when()
                .put(path + "/aliases/staging").then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(outsider).contentType("application/json").body("{\"visibility\": \"PRIVATE\"}").when()
                .put(path + "/visibility").then().statusCode(403);

        // private again: gone for outsiders; both changes are audited
        given().auth().oauth2(maintainer).contentType("application/json").body("{\"visibility\": \"PRIVATE\"}").when()
                .put(path + "/visibility").then().statusCode(200);
        given().auth().oauth2(outsider).when().get(path).then().statusCode(404);
        given().auth().oauth2(member).when().get(path + "/audit").then().statusCode(200)
                .body("action", org.hamcrest.Matchers.contains("VISIBILITY_CHANGED", "VISIBILITY_CHANGED"))
                .body("[0].fromValue", equalTo("ORG")).body("[0].toValue", equalTo("PRIVATE"))
                .body("[1].actor", equalTo("user:mia"));
    }
}
