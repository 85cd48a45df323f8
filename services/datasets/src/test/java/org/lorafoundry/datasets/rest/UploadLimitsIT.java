package org.lorafoundry.datasets.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.lorafoundry.datasets.DatasetsTestSupport;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** Size limits over REST, with the service started under small limits (its own application start). */
@QuarkusTest
@TestProfile(UploadLimitsIT.SmallLimits.class)
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class UploadLimitsIT {

    /** 4 KiB files; this start does not consume commands (the other tests' records are not its business). */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("foundry.datasets.max-file-size", "4K",
                    "mp.messaging.incoming.dataset-commands.enabled", "false");
        }
    }

    @Inject
    TokenIssuer tokens;

    @Test
    void aRawBodyOverTheLimitIs413WithAFileTooLargeReport() {
        String body = DatasetsTestSupport.promptCompletion(400, "big"); // ~20 KB

        Response response = given().auth().oauth2(alice()).contentType("application/x-ndjson")
                .body(body.getBytes(StandardCharsets.UTF_8)).when().post("/datasets/too-big");

        response.then().statusCode(413).body("code", equalTo("FILE_TOO_LARGE"))
                .body("report.errors[0].code", equalTo("FILE_TOO_LARGE"));
        assertThat(response.jsonPath().getString("report.errors[0].message")).contains("4096");
        given().auth().oauth2(alice()).when().get("/datasets/reports/" + response.jsonPath().getString("ingestId"))
                .then().statusCode(200).body("outcome", equalTo("rejected"));
    }

    @Test
    void aMultipartFileOverTheLimitIs413() {
        byte[] body = DatasetsTestSupport.promptCompletion(400, "big").getBytes(StandardCharsets.UTF_8);

        given().auth().oauth2(alice()).multiPart("file", "big.jsonl", body, "application/jsonl")
                .when().post("/datasets/too-big-multipart")
                .then().statusCode(413).body("code", equalTo("FILE_TOO_LARGE"))
                .body("report.errors[0].line", equalTo(0));
    }

    @Test
    void aBodyUnderTheLimitIsAccepted() {
        given().auth().oauth2(alice()).contentType("application/x-ndjson")
                .body(DatasetsTestSupport.promptCompletion(40, "small").getBytes(StandardCharsets.UTF_8))
                .when().post("/datasets/small").then().statusCode(201);
    }

    private String alice() {
        return tokens.mint("alice", List.of("demo"), List.of(Role.MEMBER), Duration.ofMinutes(10));
    }
}
