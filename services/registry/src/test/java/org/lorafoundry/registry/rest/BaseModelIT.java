package org.lorafoundry.registry.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.BaseModelRegistered;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.TestModels;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Base models: admins register a model directory, it is validated and announced for the jobs service's replica. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class BaseModelIT {

    @Inject
    TokenIssuer tokens;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "foundry.blob.root")
    Path blobRoot;

    @Test
    void anAdminRegistersAModelOnceReplacesItOnlyOnPurposeAndEveryoneCanReadIt() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String name = "tiny-llama-" + RegistryTestSupport.suffix();
        Path dir = blobRoot.resolve("models/" + name);
        long parameters = TestModels.llama(dir, "llama", (byte) 0);
        String manifest = TestModels.manifestBySha256sum(dir);
        String admin = tokens.mint("root", List.of(), List.of(Role.ADMIN), Duration.ofMinutes(10));
        String member = tokens.mint("ann", List.of("demo"), List.of(Role.MAINTAINER), Duration.ofMinutes(10));
        String body = "{\"name\": \"" + name + "\", \"location\": \"" + dir.toUri() + "\", \"description\": \"tiny\"}";

        register(member, body, "").statusCode(403).body("code", equalTo("FORBIDDEN"));
        register(admin, body, "").statusCode(201).body("outcome", equalTo("created"))
                .body("baseModel.sha256", equalTo(manifest)).body("baseModel.architecture", equalTo("LlamaForCausalLM"))
                .body("baseModel.parameterCount", equalTo((int) parameters))
                .body("baseModel.config.linearModuleNames", hasItem("model.layers.1.self_attn.q_proj"))
                .body("baseModel.registeredBy", equalTo("user:root"));

        BaseModelRegistered event = support.events("base-model:" + name, RegistryEvent::hasBaseModelRegistered, 1,
                Duration.ofSeconds(60)).get(0).getBaseModelRegistered();
        assertThat(event.getName()).isEqualTo(name);
        assertThat(event.getSha256()).isEqualTo(manifest);
        assertThat(event.getFiles().getManifestSha256()).isEqualTo(manifest);
        assertThat(event.getLocationUri()).isEqualTo(dir.toRealPath().toUri().toString());
        assertThat(event.getParameterCount()).isEqualTo(parameters);
        assertThat(event.getArchitecture()).isEqualTo("LlamaForCausalLM");
        assertThat(event.getConfig().getModelType()).isEqualTo("llama");
        assertThat(event.getConfig().getNumHiddenLayers()).isEqualTo(2);
        assertThat(event.getConfig().getLinearModuleNamesList()).hasSize(14);
        assertThat(event.getFiles().getFilesList()).extracting(f -> f.getRelativePath())
                .containsExactly("config.json", "model.safetensors", "tokenizer.json");
        assertThat(event.getRegisteredBy()).isEqualTo("user:root");

        // the same directory again: nothing changes, nothing is published
        register(admin, body, "").statusCode(200).body("outcome", equalTo("existing"));
        // other weights under the same name: refused unless replaced on purpose (audited, published)
        TestModels.llama(dir, "llama", (byte) 7);
        String replaced = TestModels.manifestBySha256sum(dir);
        register(admin, body, "").statusCode(409).body("code", equalTo("BASE_MODEL_CONFLICT"))
                .body("message", containsString(manifest)).body("message", containsString(replaced));
        register(admin, body, "?replace=true").statusCode(200).body("outcome", equalTo("replaced"))
                .body("baseModel.sha256", equalTo(replaced));
        support.events("base-model:" + name, e -> e.hasBaseModelRegistered()
                && e.getBaseModelRegistered().getSha256().equals(replaced), 1, Duration.ofSeconds(60));
        assertThat(support.allEvents("base-model:" + name, Duration.ofSeconds(2))).hasSize(2);

        given().auth().oauth2(member).when().get("/base-models").then().statusCode(200)
                .body("name", hasItem(name));
        given().auth().oauth2(member).when().get("/base-models/" + name).then().statusCode(200)
                .body("baseModel.sha256", equalTo(replaced))
                .body("history.action", org.hamcrest.Matchers.contains("REGISTERED", "REPLACED"))
                .body("history[1].fromSha256", equalTo(manifest)).body("history[1].toSha256", equalTo(replaced))
                .body("history[1].actor", equalTo("user:root"));
        given().auth().oauth2(member).when().get("/base-models/no-such-model").then().statusCode(404);
        given().when().get("/base-models").then().statusCode(401);
    }

    @Test
    void aDirectoryThatIsNotAUsableModelIsRefusedWithTheReason() throws Exception {
        String admin = tokens.mint("root", List.of(), List.of(Role.ADMIN), Duration.ofMinutes(10));
        Path dir = blobRoot.resolve("models/bad-" + RegistryTestSupport.suffix());
        TestModels.llama(dir, "llama", (byte) 0);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"falcon\"}");
        register(admin, "{\"name\": \"bad\", \"location\": \"" + dir.toUri() + "\"}", "").statusCode(422)
                .body("code", equalTo("BASE_MODEL_INVALID"))
                .body("message", containsString("UNSUPPORTED_ARCHITECTURE"))
                .body("message", containsString("gpt2, llama, qwen2"));
        Files.delete(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\"}");
        register(admin, "{\"name\": \"bad\", \"location\": \"" + dir.toUri() + "\"}", "").statusCode(422)
                .body("message", containsString("tokenizer.json"));
        register(admin, "{\"name\": \"bad\", \"location\": \"" + dir.resolve("nowhere").toUri() + "\"}", "")
                .statusCode(422).body("message", containsString("not a directory"));
        register(admin, "{\"name\": \"bad\", \"location\": \"file:///\"}", "").statusCode(400)
                .body("code", equalTo("LOCATION_NOT_ALLOWED"));
        register(admin, "{\"name\": \"bad\", \"location\": \"s3://bucket/model\"}", "").statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
        register(admin, "{\"name\": \"bad name\", \"location\": \"" + dir.toUri() + "\"}", "").statusCode(400);
    }

    private ValidatableResponse register(String token, String body, String query) {
        return given().auth().oauth2(token).contentType("application/json").body(body).when()
                .post("/base-models" + query).then();
    }
}
