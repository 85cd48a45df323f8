package org.lorafoundry.jobs.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import com.google.protobuf.util.JsonFormat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.jobs.JobsTestSupport;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.PriorityClass;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The job API over HTTP with real tokens, against real Kafka and PostgreSQL. The teams here never get a worker slot
 * (maxRunning 0), so their jobs stay queued whatever other tests do.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class JobApiIT {

    @Inject
    JobsTestSupport support;

    private String alice;
    private String bob;

    @BeforeEach
    void setUp() throws Exception {
        support.team("api-red", 0, 3, 1.0, PriorityClass.PRIORITY_CLASS_LOW, PriorityClass.PRIORITY_CLASS_NORMAL);
        support.team("api-blue", 0, 10, 1.0);
        support.facts("api-red", "api-model", "dates");
        alice = support.token("alice", List.of("api-red"), Role.MEMBER);
        bob = support.token("bob", List.of("api-blue"), Role.MEMBER);
    }

    @Test
    void everyCallNeedsAToken() {
        given().contentType(ContentType.JSON).body("{}").when().post("/jobs").then().statusCode(401);
        given().when().get("/jobs").then().statusCode(401);
        given().auth().oauth2("not-a-jwt").when().get("/jobs").then().statusCode(401);
    }

    @Test
    void aMemberSubmitsSeesAndCancelsItsJob() throws Exception {
        String jobId = "api-" + UUID.randomUUID();
        given().auth().oauth2(alice).contentType(ContentType.JSON).body(json(spec(jobId)))
                .when().post("/jobs")
                .then().statusCode(202).body("jobId", equalTo(jobId)).body("team", equalTo("api-red"))
                .body("state", equalTo("QUEUED")).body("spec.dataset.version", equalTo(1))
                .body("spec.baseModel.sha256", not(equalTo(null)));

        given().auth().oauth2(alice).when().get("/jobs/" + jobId).then().statusCode(200)
                .body("queuePosition", not(equalTo(null)));
        given().auth().oauth2(alice).when().get("/jobs?team=api-red").then().statusCode(200)
                .body("items.jobId", hasItem(jobId));

        given().auth().oauth2(alice).when().post("/jobs/" + jobId + "/cancel").then().statusCode(202)
                .body("state", equalTo("CANCELLED"));
        given().auth().oauth2(alice).when().get("/jobs/" + jobId + "/history").then().statusCode(200)
                .body("to", contains("SUBMITTED", "VALIDATING", "QUEUED", "CANCELLED"))
                .body("actor", hasItem("user:alice"));
        given().auth().oauth2(alice).when().post("/jobs/" + jobId + "/cancel").then().statusCode(409)
                .body("code", equalTo("JOB_ALREADY_FINAL"));
    }

    @Test
    void anotherTeamsJobIsInvisibleButAnAdminSeesIt() throws Exception {
        String jobId = "api-private-" + UUID.randomUUID();
        given().auth().oauth2(alice).contentType(ContentType.JSON).body(json(spec(jobId))).when().post("/jobs")
                .then().statusCode(202);

        given().auth().oauth2(bob).when().get("/jobs/" + jobId).then().statusCode(404);
        given().auth().oauth2(bob).when().get("/jobs/" + jobId + "/history").then().statusCode(404);
        given().auth().oauth2(bob).when().post("/jobs/" + jobId + "/cancel").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/jobs").then().statusCode(200).body("items.jobId", not(hasItem(jobId)));
        given().auth().oauth2(bob).when().get("/jobs?team=api-red").then().statusCode(200).body("items.size()", equalTo(0));
        given().auth().oauth2(bob).contentType(ContentType.JSON).body(json(spec("x-" + jobId)))
                .when().post("/jobs?team=api-red").then().statusCode(403);

        given().auth().oauth2(support.admin()).when().get("/jobs/" + jobId).then().statusCode(200)
                .body("team", equalTo("api-red"));
    }

    @Test
    void refusalsAreTypedAndListEveryViolation() throws Exception {
        given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(json(spec("api-x-" + UUID.randomUUID()).setDataset(JobSpec.getDefaultInstance().getDataset()
                        .toBuilder().setName("no-such-data"))))
                .when().post("/jobs").then().statusCode(422).body("code", equalTo("UNKNOWN_DATASET"))
                .body("violations[0].field", equalTo("spec.dataset"));

        given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(json(spec("api-y-" + UUID.randomUUID()).setBaseModel(spec("z").getBaseModel().toBuilder()
                        .setName("gpt-17"))))
                .when().post("/jobs").then().statusCode(422).body("code", equalTo("UNKNOWN_BASE_MODEL"));

        JobSpec.Builder wrongModule = spec("api-z-" + UUID.randomUUID());
        wrongModule.getLoraBuilder().addTargetModules("c_attn");
        given().auth().oauth2(alice).contentType(ContentType.JSON).body(json(wrongModule))
                .when().post("/jobs").then().statusCode(422).body("code", equalTo("INVALID_LORA_CONFIG"))
                .body("violations[0].message", org.hamcrest.Matchers.containsString("c_attn"));

        given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(json(spec("api-p-" + UUID.randomUUID()).setPriority(PriorityClass.PRIORITY_CLASS_URGENT)))
                .when().post("/jobs").then().statusCode(422).body("code", equalTo("PRIORITY_NOT_ALLOWED"));

        given().auth().oauth2(alice).contentType(ContentType.JSON).body("{\"baseModel\": {\"nmae\": \"typo\"}}")
                .when().post("/jobs").then().statusCode(400).body("code", equalTo("MALFORMED_SPEC"));
    }

    @Test
    void aTeamOverItsQueuedQuotaIsRefused() throws Exception {
        support.team("api-small", 0, 2, 1.0);
        support.facts("api-small", "api-model", "dates");
        String carol = support.token("carol", List.of("api-small"), Role.MEMBER);
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(carol).contentType(ContentType.JSON).body(json(spec("q-" + UUID.randomUUID())))
                    .when().post("/jobs").then().statusCode(202);
        }
        given().auth().oauth2(carol).contentType(ContentType.JSON).body(json(spec("q-" + UUID.randomUUID())))
                .when().post("/jobs").then().statusCode(422).body("code", equalTo("QUOTA_EXCEEDED"));
    }

    @Test
    void listingsPageWithoutGapsOrOverlaps() throws Exception {
        support.team("api-pages", 0, 10, 1.0);
        support.facts("api-pages", "api-model", "dates");
        String frank = support.token("frank", List.of("api-pages"), Role.MEMBER);
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(frank).contentType(ContentType.JSON).body(json(spec("page-" + i + "-" + UUID.randomUUID())))
                    .when().post("/jobs").then().statusCode(202);
        }
        List<String> seen = new java.util.ArrayList<>();
        for (int page = 0; page < 3; page++) {
            var response = given().auth().oauth2(frank).when().get("/jobs?size=2&page=" + page).then().statusCode(200)
                    .body("hasMore", equalTo(page < 2)).extract();
            seen.addAll(response.path("items.jobId"));
        }
        assertThat(seen).hasSize(5).doesNotHaveDuplicates();
    }

    @Test
    void aRetriedRefusedSubmissionSaysTheKeyWasUsed() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = json(spec("refused-" + UUID.randomUUID()).setPriority(PriorityClass.PRIORITY_CLASS_URGENT));
        given().auth().oauth2(alice).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .when().post("/jobs").then().statusCode(422);
        given().auth().oauth2(alice).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .when().post("/jobs").then().statusCode(409).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));
    }

    @Test
    void anIdempotencyKeyMakesARetriedSubmissionOneJob() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = json(spec("").clearJobId());
        String first = given().auth().oauth2(alice).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .when().post("/jobs").then().statusCode(202).extract().path("jobId");
        String second = given().auth().oauth2(alice).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .when().post("/jobs").then().statusCode(200).extract().path("jobId");
        assertThat(second).isEqualTo(first);
        assertThat(support.count("select count(*) from jobs where job_id = ?", first)).isEqualTo(1);
    }

    @Test
    void adminsManageTeamsAndTokensMembersMayNot() {
        given().auth().oauth2(alice).when().get("/admin/teams").then().statusCode(403);
        given().auth().oauth2(support.admin()).contentType(ContentType.JSON)
                .body("{\"maxRunning\": 1, \"maxQueued\": 5, \"weight\": 2.0, \"priorities\": [\"NORMAL\", \"HIGH\"]}")
                .when().put("/admin/teams/api-new").then().statusCode(200).body("weight", equalTo(2.0f));
        given().auth().oauth2(support.admin()).when().get("/admin/teams").then().statusCode(200)
                .body("name", hasItem("api-new"));

        String minted = given().auth().oauth2(support.admin()).contentType(ContentType.JSON)
                .body("{\"subject\": \"dave\", \"teams\": [\"api-new\"], \"roles\": [\"member\"]}")
                .when().post("/admin/tokens").then().statusCode(200).extract().path("token");
        given().auth().oauth2(minted).when().get("/jobs?team=api-new").then().statusCode(200);
        given().auth().oauth2(minted).contentType(ContentType.JSON).body("{\"subject\": \"eve\", \"roles\": [\"admin\"]}")
                .when().post("/admin/tokens").then().statusCode(403);
    }

    private static JobSpec.Builder spec(String jobId) {
        return JobsTestSupport.spec(jobId, "api-model", "dates");
    }

    private static String json(JobSpec.Builder spec) throws Exception {
        return JsonFormat.printer().print(spec);
    }
}
