package org.lorafoundry.registry.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.AliasChanged;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.RegistryTestSupport.Job;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Alias rules over REST: members move aliases to passed versions, a rejected version needs a maintainer and a reason,
 * production needs a maintainer; every change is audited and published as AliasChanged with the whole alias table.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class AliasIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TokenIssuer tokens;
    @Inject
    BlobStore blobs;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aliasesFollowTheVerdictUnlessAMaintainerOverridesWithAReasonAndEveryChangeIsAuditedAndPublished()
            throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "alias-" + RegistryTestSupport.suffix();
        String key = team + "/chat";
        List<Verdict> verdicts = List.of(Verdict.VERDICT_PASSED, Verdict.VERDICT_FAILED, Verdict.VERDICT_PASSED);
        for (int i = 0; i < verdicts.size(); i++) {
            String jobId = team + "-j" + (i + 1);
            support.send(RegistryTestSupport.completed(new Job(team, "chat", jobId, verdicts.get(i),
                    verdicts.get(i) == Verdict.VERDICT_PASSED ? 0.9 : 0.5, 8, null, Map.of(), "", RegistryTestSupport
                            .writeAdapter(blobs, jobId, 8))));
            int version = i + 1;
            support.events(key, e -> e.hasAdapterVersionRegistered()
                    && e.getAdapterVersionRegistered().getVersion() == version, 1, WAIT);
        }
        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));
        String maintainer = tokens.mint("mia", List.of(team), List.of(Role.MAINTAINER), Duration.ofMinutes(10));

        put(member, team, "staging", "{\"version\": 1}").statusCode(200).body("changed", equalTo(true))
                .body("fromVersion", nullValue()).body("toVersion", equalTo(1)).body("overridden", equalTo(false));

        // a rejected version: refused to a member (even with a reason) and to a maintainer without a reason
        put(member, team, "staging", "{\"version\": 2}").statusCode(409).body("code", equalTo("VERDICT_NOT_PASSED"))
                .body("message", containsString("only a maintainer"));
        put(member, team, "staging", "{\"version\": 2, \"overrideReason\": \"trust me\"}").statusCode(409)
                .body("code", equalTo("VERDICT_NOT_PASSED"));
        put(maintainer, team, "staging", "{\"version\": 2}").statusCode(409).body("code", equalTo("VERDICT_NOT_PASSED"))
                .body("message", containsString("overrideReason"));
        put(maintainer, team, "staging", "{\"version\": 2, \"overrideReason\": \"   \"}").statusCode(409);
        put(maintainer, team, "staging", "{\"version\": 2, \"overrideReason\": \"gate threshold is wrong, see INC-7\"}")
                .statusCode(200).body("overridden", equalTo(true)).body("fromVersion", equalTo(1))
                .body("toVersion", equalTo(2));

        // production: maintainers only; the same target again changes nothing
        put(member, team, "production", "{\"version\": 3}").statusCode(403).body("code", equalTo("FORBIDDEN"));
        put(maintainer, team, "production", "{\"version\": 3}").statusCode(200).body("changed", equalTo(true));
        put(maintainer, team, "production", "{\"version\": 3}").statusCode(200).body("changed", equalTo(false));

        // invalid names and versions
        put(member, team, "v2", "{\"version\": 3}").statusCode(400).body("code", equalTo("INVALID_ALIAS"));
        put(member, team, "canary", "{\"version\": 99}").statusCode(404);
        put(member, team, "canary", "{}").statusCode(400);

        // removal: members for ordinary aliases, maintainers for production
        given().auth().oauth2(member).when().delete("/adapters/" + team + "/chat/aliases/production").then()
                .statusCode(403);
        given().auth().oauth2(member).when().delete("/adapters/" + team + "/chat/aliases/staging").then()
                .statusCode(200).body("fromVersion", equalTo(2)).body("toVersion", nullValue());
        given().auth().oauth2(member).when().delete("/adapters/" + team + "/chat/aliases/staging").then()
                .statusCode(404);

        given().auth().oauth2(member).when().get("/adapters/" + team + "/chat").then().statusCode(200)
                .body("aliases.alias", contains("production")).body("aliases[0].version", equalTo(3))
                .body("aliases[0].updatedBy", equalTo("user:mia"));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/chat/versions/production").then()
                .statusCode(200).body("version.version", equalTo(3)).body("version.aliases", contains("production"));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/chat/audit").then().statusCode(200)
                .body("action", contains("ALIAS_REMOVED", "ALIAS_SET", "ALIAS_SET", "ALIAS_SET"))
                .body("alias", contains("staging", "production", "staging", "staging"))
                .body("actor", contains("user:ann", "user:mia", "user:mia", "user:ann"))
                .body("[2].overridden", equalTo(true))
                .body("[2].reason", equalTo("gate threshold is wrong, see INC-7"))
                .body("[2].fromVersion", equalTo(1)).body("[2].toVersion", equalTo(2))
                .body("[3].overridden", equalTo(false));

        List<AliasChanged> changes = support.events(key, RegistryEvent::hasAliasChanged, 4, WAIT).stream()
                .map(RegistryEvent::getAliasChanged).toList();
        assertThat(changes).extracting(c -> c.getAlias() + ":" + (c.hasFromVersion() ? c.getFromVersion() : "-") + "->"
                + (c.hasToVersion() ? c.getToVersion() : "-"))
                .containsExactly("staging:-->1", "staging:1->2", "production:-->3", "staging:2->-");
        AliasChanged override = changes.get(1);
        assertThat(override.getOverridden()).isTrue();
        assertThat(override.getOverrideReason()).isEqualTo("gate threshold is wrong, see INC-7");
        assertThat(override.getToVersionVerdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(override.getActor()).isEqualTo("user:mia");
        assertThat(changes.get(0).getOverrideReason()).isEmpty();
        assertThat(changes.get(2).getAliasesList()).extracting(a -> a.getAlias() + "=" + a.getVersion())
                .containsExactly("production=3", "staging=2");
        assertThat(changes.get(3).getAliasesList()).extracting(a -> a.getAlias() + "=" + a.getVersion())
                .containsExactly("production=3");
        assertThat(support.allEvents(key, Duration.ofSeconds(2))).filteredOn(RegistryEvent::hasAliasChanged).hasSize(4);
    }

    private ValidatableResponse put(String token, String team, String alias, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).when()
                .put("/adapters/" + team + "/chat/aliases/" + alias).then();
    }
}
