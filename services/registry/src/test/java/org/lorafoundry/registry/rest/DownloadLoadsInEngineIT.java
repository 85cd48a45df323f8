package org.lorafoundry.registry.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import jakarta.inject.Inject;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.registry.EngineFixtures;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.RegistryTestSupport.Job;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The download is a usable PEFT directory: a real PEFT-written adapter (the engine's fixture {@code peft/llama-default}
 * on the fixture {@code llama}, both written by transformers + PEFT) goes in as a trainer's output, comes out of
 * {@code GET .../download} as a zip, and, unzipped, loads in the engine onto the registered base model with exactly the
 * logits of the original directory, which are PEFT's own.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class DownloadLoadsInEngineIT {

    /** The engine's tolerance against PEFT's fp32 logits (libs/engine Parity.LOGITS_TOLERANCE). */
    private static final double PEFT_TOLERANCE = 1e-4;

    @Inject
    TokenIssuer tokens;
    @Inject
    BlobStore blobs;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "foundry.blob.root")
    Path blobRoot;
    @TempDir
    Path tmp;

    @Test
    void theDownloadedZipLoadsOntoTheBaseModelWithTheOriginalAdaptersLogits() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "engine-" + RegistryTestSupport.suffix();
        String baseName = "fixture-llama-" + RegistryTestSupport.suffix();

        // the base model, registered (and so validated) by the engine-backed inspector
        Path baseDir = EngineFixtures.copy("llama", blobRoot.resolve("models/" + baseName), false);
        String admin = tokens.mint("root", List.of(), List.of(Role.ADMIN), Duration.ofMinutes(10));
        String baseSha = given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("name", baseName, "location", baseDir.toUri().toString())).when().post("/base-models")
                .then().statusCode(201).body("baseModel.architecture", equalTo("LlamaForCausalLM"))
                .extract().path("baseModel.sha256");

        // the PEFT adapter, where a trainer writes its output
        Path original = EngineFixtures.copy("peft/llama-default", tmp.resolve("original"), true);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors")) {
            files.put(file, Files.readAllBytes(original.resolve(file)));
        }
        String jobId = team + "-j1";
        DirectoryRef written = RegistryTestSupport.writeAdapter(blobs, jobId, files);
        EvaluationCompleted completed = RegistryTestSupport.completed(new Job(team, "dates", jobId,
                Verdict.VERDICT_PASSED, 0.95, 8, null, Map.of(), "Dates in words", written));
        EvaluationCompleted.Builder onFixtureBase = completed.toBuilder();
        onFixtureBase.getTrainingBuilder().getTaskBuilder().getBaseModelBuilder().setName(baseName).setSha256(baseSha)
                .setLocationUri(baseDir.toUri().toString());
        support.send(onFixtureBase.build());
        support.events(team + "/dates", RegistryEvent::hasAdapterVersionRegistered, 1, Duration.ofSeconds(60));

        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));
        byte[] zip = given().auth().oauth2(member).when().get("/adapters/" + team + "/dates/versions/1/download")
                .then().statusCode(200).contentType("application/zip").extract().asByteArray();
        Path downloaded = unzip(zip, tmp.resolve("unzipped")).resolve(team + "-dates-v1");
        assertThat(downloaded.resolve("adapter_config.json")).exists();
        assertThat(downloaded.resolve("README.md")).content().contains("base_model: \"" + baseName + "\"");

        try (SafetensorsReader reference = SafetensorsReader.open(original.resolve("logits.safetensors"));
                NDManager manager = EngineRuntime.newManager();
                LoraModel model = LoraModel.load(baseDir, manager)) {
            model.loadAdapter("original", original);
            model.loadAdapter("downloaded", downloaded);
            NDArray ids = manager.create(reference.tensor("input_ids").toLongArray(),
                    new Shape(reference.tensor("input_ids").shape()));

            float[] fromDownload = model.forward(ids, null, "downloaded").toFloatArray();
            float[] fromOriginal = model.forward(ids, null, "original").toFloatArray();
            float[] base = model.forward(ids, null, null).toFloatArray();
            float[] peft = reference.tensor("peft_logits").toFloatArray();

            assertThat(fromDownload).as("logits of the downloaded adapter = those of the original directory")
                    .containsExactly(fromOriginal);
            assertThat(maxAbsDiff(fromDownload, peft)).as("= PEFT's logits for this adapter").isLessThan(PEFT_TOLERANCE);
            assertThat(maxAbsDiff(fromDownload, base)).as("the adapter changes the logits").isGreaterThan(0.05);
        }
    }

    private static Path unzip(byte[] zip, Path target) throws Exception {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = target.resolve(entry.getName()).normalize();
                assertThat(file.startsWith(target)).as("zip entry %s stays inside", entry.getName()).isTrue();
                Files.createDirectories(file.getParent());
                Files.write(file, in.readAllBytes());
            }
        }
        return target;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
