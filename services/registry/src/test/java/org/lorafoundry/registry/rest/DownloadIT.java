package org.lorafoundry.registry.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.RegistryTestSupport.Job;
import org.lorafoundry.registry.TestModels;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Download round trip: adapter files in, zip out, same checksums; a damaged file refuses the download. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class DownloadIT {

    @Inject
    TokenIssuer tokens;
    @Inject
    BlobStore blobs;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aVersionDownloadsAsAPeftDirectoryZipWithModelCardAndTheSameChecksums() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "dl-" + RegistryTestSupport.suffix();
        DirectoryRef written = RegistryTestSupport.writeAdapter(blobs, team + "-j1", 8);
        support.send(RegistryTestSupport.completed(new Job(team, "summarizer", team + "-j1", Verdict.VERDICT_PASSED, 0.93,
                8, "staging", Map.of("task", "summarization"), "Summarises support tickets", written)));
        AdapterVersionRegistered registered = support.events(team + "/summarizer",
                RegistryEvent::hasAdapterVersionRegistered, 1, Duration.ofSeconds(60)).get(0).getAdapterVersionRegistered();
        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));

        for (String version : List.of("1", "staging")) {
            Response response = given().auth().oauth2(member).when()
                    .get("/adapters/" + team + "/summarizer/versions/" + version + "/download");
            response.then().statusCode(200).contentType("application/zip")
                    .header("Content-Disposition", "attachment; filename=\"" + team + "-summarizer-v1.zip\"")
                    .header("X-Manifest-Sha256", written.getManifestSha256());
            Map<String, byte[]> entries = unzip(response.asByteArray());
            String folder = team + "-summarizer-v1/";
            assertThat(entries.keySet()).containsExactly(folder + "README.md", folder + "adapter_config.json",
                    folder + "adapter_model.safetensors", folder + "SHA256SUMS");
            for (BlobRef file : written.getFilesList()) {
                byte[] bytes = entries.get(folder + file.getRelativePath());
                assertThat(TestModels.sha256(bytes)).isEqualTo(file.getSha256());
                assertThat((long) bytes.length).isEqualTo(file.getSizeBytes());
            }
            String sums = new String(entries.get(folder + "SHA256SUMS"), StandardCharsets.UTF_8);
            assertThat(sums).isEqualTo(written.getFiles(0).getSha256() + "  adapter_config.json\n"
                    + written.getFiles(1).getSha256() + "  adapter_model.safetensors\n");
            assertThat(TestModels.sha256(entries.get(folder + "SHA256SUMS"))).isEqualTo(written.getManifestSha256());
            String card = new String(entries.get(folder + "README.md"), StandardCharsets.UTF_8);
            assertThat(card).startsWith("---\nlibrary_name: peft\nbase_model: \"" + RegistryTestSupport.BASE_MODEL + "\"")
                    .contains("# " + team + "/summarizer@v1", "Summarises support tickets", "PASSED",
                            "PeftModel.from_pretrained(base, \"" + team + "-summarizer-v1\")", "\"r\" : 8",
                            RegistryTestSupport.BASE_MODEL_SHA, team + "/support@v2", "| accuracy | 0.930000 | 0.500000 |",
                            "Aliases | staging", written.getFiles(1).getSha256(), "sha256sum -c SHA256SUMS");
        }

        // damage the registry's copy (same size, other bytes): the download is refused, no zip is sent
        BlobRef stored = registered.getArtifact().getFiles(1);
        Path file = Path.of(URI.create(stored.getUri()));
        byte[] bytes = Files.readAllBytes(file);
        bytes[100] ^= 0x5a;
        Files.write(file, bytes);
        given().auth().oauth2(member).when().get("/adapters/" + team + "/summarizer/versions/1/download").then()
                .statusCode(500).contentType("application/json").body("code", equalTo("ARTIFACT_CORRUPT"))
                .body("message", org.hamcrest.Matchers.containsString("adapter_model.safetensors"));
        Files.delete(file);
        given().auth().oauth2(member).when().get("/adapters/" + team + "/summarizer/versions/1/download").then()
                .statusCode(500).body("code", equalTo("ARTIFACT_MISSING"));
        // the trainer's original is untouched: the registry owns its copy
        assertThat(TestModels.sha256(Files.readAllBytes(Path.of(URI.create(written.getFiles(1).getUri())))))
                .isEqualTo(written.getFiles(1).getSha256());
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
