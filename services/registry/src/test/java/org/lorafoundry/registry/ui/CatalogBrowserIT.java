package org.lorafoundry.registry.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.registry.EngineFixtures;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.RegistryTestSupport.Job;
import org.lorafoundry.testkit.FoundryTestResource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The web UI in a real browser against the real service (Kafka, PostgreSQL): a member signs in with a token, browses
 * and filters the catalog (another team's private adapter never shows), opens an adapter and a version (loss curve,
 * thresholds, example generations, lineage), downloads it, promotes the passed version to staging, is refused the
 * failed one; a maintainer overrides the gate with a reason, which the audit trail shows.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class CatalogBrowserIT {

    private static final String REASON = "Accuracy regression accepted for the demo; fix in v3";

    @Inject
    TokenIssuer tokens;
    @Inject
    BlobStore blobs;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "foundry.blob.root")
    Path blobRoot;
    @TestHTTPResource("/")
    URL root;

    private String team;
    private String otherTeam;
    private String baseModel;

    @Test
    void browseOpenAVersionPromoteItAndOverrideAFailedGate() throws Exception {
        HeadlessChromium.assumeInstalled();
        seed();
        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(30));
        String maintainer = tokens.mint("mia", List.of(team), List.of(Role.MAINTAINER), Duration.ofMinutes(30));
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            try {
                browseAndFilter(browser, member);
                openAdapterAndVersion(browser);
                downloadAndPromote(browser, member);
                compareVersions(browser);
                overrideAsMaintainer(browser, maintainer);
                baseModels(browser);
                assertThat(browser.scriptErrors()).as("errors in the browser console").isEmpty();
            } catch (Throwable failure) {
                browser.capture("CatalogBrowserIT-" + System.currentTimeMillis());
                throw failure;
            }
        }
    }

    /** Three adapters: the team's support-bot (v1 passed, v2 failed) and summarizer, another team's private one. */
    private void seed() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String suffix = RegistryTestSupport.suffix();
        team = "ui-" + suffix;
        otherTeam = "rival-" + suffix;

        // the evaluator's JSON report (foundry.evaluation-report.v1), its example generations
        byte[] report = ("{\"format\": \"foundry.evaluation-report.v1\", \"examples\": ["
                + "{\"prompt\": \"Date 1965-05-10 in words:\", \"reference\": \" May 10, 1965\", "
                + "\"baseModelOutput\": \" 1965\", \"adapterOutput\": \" May 10, 1965\"},"
                + "{\"prompt\": \"Date 2001-12-31 in words:\", \"reference\": \" December 31, 2001\", "
                + "\"baseModelOutput\": \" the\", \"adapterOutput\": \" December 13, 2001\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        org.lorafoundry.platform.blob.BlobRef stored = blobs.put("evaluations/" + team + "-j1/report.json",
                new ByteArrayInputStream(report));
        BlobRef reportRef = BlobRef.newBuilder().setUri(stored.uri().toString()).setSha256(stored.sha256())
                .setSizeBytes(stored.sizeBytes()).setMediaType("application/json").build();

        EvaluationCompleted passed = RegistryTestSupport.completed(job(team, "support-bot", "j1", Verdict.VERDICT_PASSED,
                0.93, 8)).toBuilder().setReport(reportRef).build();
        support.send(passed);
        support.events(team + "/support-bot", RegistryEvent::hasAdapterVersionRegistered, 1, Duration.ofSeconds(60));
        support.send(RegistryTestSupport.completed(job(team, "support-bot", "j2", Verdict.VERDICT_FAILED, 0.62, 16)));
        support.send(RegistryTestSupport.completed(job(team, "summarizer", "j3", Verdict.VERDICT_PASSED, 0.88, 8)));
        support.send(RegistryTestSupport.completed(job(otherTeam, "secret-bot", "j4", Verdict.VERDICT_PASSED, 0.99, 8)));
        support.events(team + "/support-bot", RegistryEvent::hasAdapterVersionRegistered, 2, Duration.ofSeconds(60));
        support.events(team + "/summarizer", RegistryEvent::hasAdapterVersionRegistered, 1, Duration.ofSeconds(60));
        support.events(otherTeam + "/secret-bot", RegistryEvent::hasAdapterVersionRegistered, 1, Duration.ofSeconds(60));

        baseModel = "ui-llama-" + suffix;
        Path dir = EngineFixtures.copy("llama", blobRoot.resolve("models/" + baseModel), false);
        String admin = tokens.mint("root", List.of(), List.of(Role.ADMIN), Duration.ofMinutes(10));
        given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("name", baseModel, "location", dir.toUri().toString())).when().post("/base-models")
                .then().statusCode(201);
    }

    private Job job(String owner, String adapter, String job, Verdict verdict, double accuracy, int rank)
            throws Exception {
        String jobId = owner + "-" + job;
        return new Job(owner, adapter, jobId, verdict, accuracy, rank, null, Map.of("task", "support"),
                "Answers " + adapter + " questions", RegistryTestSupport.writeAdapter(blobs, jobId, rank));
    }

    // ------------------------------------------------------------------------------------------------ steps

    private void signIn(HeadlessChromium browser, String token, String subject) {
        WebElement show = browser.driver().findElements(By.id("show-sign-in")).stream().findFirst().orElse(null);
        if (show != null && show.isDisplayed()) {
            show.click();
        }
        WebElement input = browser.visible(By.id("token-input"));
        input.clear();
        input.sendKeys(token);
        browser.driver().findElement(By.id("sign-in-submit")).click();
        browser.until(ExpectedConditions.attributeToBe(By.id("signed-in-as"), "data-subject", subject));
        assertThat(browser.driver().findElement(By.id("sign-in")).isDisplayed()).isFalse();
    }

    private void browseAndFilter(HeadlessChromium browser, String member) {
        browser.open(root.toString());
        browser.heading("Sign in to browse the registry");
        signIn(browser, member, "ann");
        browser.heading("Adapter catalog");
        assertThat(browser.driver().findElement(By.id("signed-in-as")).getText()).contains("ann", "member", team);
        browser.snapshot("1-catalog");

        // the team's adapters are listed (latest version each), the other team's private one is not
        browser.visible(By.cssSelector("#catalog-results tr[data-ref='" + team + "/support-bot']"));
        WebElement supportBot = browser.driver().findElement(By.cssSelector(
                "#catalog-results tr[data-ref='" + team + "/support-bot']"));
        assertThat(supportBot.getAttribute("data-version")).isEqualTo("2");
        assertThat(supportBot.findElement(By.cssSelector("[data-verdict]")).getText()).contains("failed");
        assertThat(rows(browser, "#catalog-results tr[data-ref='" + team + "/summarizer']")).hasSize(1);
        assertThat(rows(browser, "#catalog-results tr[data-ref^='" + otherTeam + "/']")).isEmpty();

        // filters: the team's adapters whose latest version passed
        WebElement teamField = browser.driver().findElement(By.id("team"));
        teamField.clear();
        teamField.sendKeys(team);
        new Select(browser.driver().findElement(By.id("verdict"))).selectByValue("passed");
        browser.replacesPage(() -> browser.driver().findElement(By.id("search-submit")).click());
        assertThat(browser.driver().getCurrentUrl()).contains("team=" + team, "verdict=passed");
        browser.visible(By.id("result-count"));
        assertThat(rows(browser, "#catalog-results tbody tr[data-ref]")).extracting(row -> row.getAttribute("data-ref"))
                .containsExactly(team + "/summarizer");
        assertThat(new Select(browser.driver().findElement(By.id("verdict"))).getFirstSelectedOption().getText())
                .as("the form shows the filters in force").isEqualTo("passed");
        browser.snapshot("2-catalog-filtered");

        // searching for the other team's adapter by name finds nothing
        browser.replacesPage(() -> browser.driver().findElement(By.id("search-reset")).click());
        browser.visible(By.id("q")).sendKeys("secret-bot");
        browser.replacesPage(() -> browser.driver().findElement(By.id("search-submit")).click());
        browser.until(ExpectedConditions.textToBe(By.id("result-count"), "Nothing matches these filters."));

        // keyset paging: one hit per page, "More" appends the next page until there is none
        browser.replacesPage(() -> browser.open(root + "#/?team=" + team + "&limit=1"));
        browser.until(ExpectedConditions.textToBe(By.id("result-count"), "1 adapter shown; more match."));
        assertThat(rows(browser, "#catalog-results tbody tr[data-ref]")).hasSize(1);
        browser.driver().findElement(By.id("more")).click();
        browser.until(ExpectedConditions.textToBe(By.id("result-count"), "2 adapters shown."));
        assertThat(rows(browser, "#catalog-results tbody tr[data-ref]")).extracting(row -> row.getAttribute("data-ref"))
                .containsExactlyInAnyOrder(team + "/support-bot", team + "/summarizer");
        assertThat(browser.driver().findElement(By.id("more")).isDisplayed()).as("no page after the last").isFalse();

        browser.replacesPage(() -> browser.driver().findElement(By.id("search-reset")).click());
        browser.visible(By.cssSelector("#catalog-results tr[data-ref='" + team + "/support-bot'] a.adapter-link"))
                .click();
    }

    private void openAdapterAndVersion(HeadlessChromium browser) {
        browser.heading(team + "/support-bot");
        assertThat(browser.driver().findElement(By.id("visibility")).getText()).isEqualTo("private to the team");
        WebElement v2 = browser.visible(By.cssSelector("#versions tr[data-version='2']"));
        assertThat(v2.findElement(By.cssSelector("[data-verdict]")).getText()).contains("failed");
        assertThat(v2.getText()).contains("0.62");
        WebElement v1 = browser.driver().findElement(By.cssSelector("#versions tr[data-version='1']"));
        assertThat(v1.findElement(By.cssSelector("[data-verdict]")).getText()).contains("passed");
        browser.snapshot("3-adapter");
        v1.findElement(By.cssSelector("a.version-link")).click();

        browser.heading(team + "/support-bot v1");
        // the loss curve: train loss at steps 1, 50, 100, validation loss at 50 and 100, axes labelled
        WebElement chart = browser.visible(By.cssSelector("svg[data-chart='loss']"));
        assertThat(chart.findElements(By.cssSelector("g[data-series='train loss'] circle"))).hasSize(3);
        assertThat(chart.findElements(By.cssSelector("g[data-series='validation loss'] circle"))).hasSize(2);
        assertThat(chart.findElements(By.cssSelector("text.axis-label"))).extracting(WebElement::getText)
                .containsExactly("step", "loss");
        // evaluation: the threshold with value and result, candidate vs baseline, the report's generations
        WebElement threshold = browser.driver().findElement(By.cssSelector("#thresholds tr[data-metric='accuracy']"));
        assertThat(threshold.getText()).contains("≥ 0.8", "0.93", "pass");
        assertThat(browser.driver().findElement(By.id("metrics")).getText()).contains("accuracy", "0.93", "0.5",
                "+0.43");
        browser.visible(By.id("examples"));
        assertThat(browser.driver().findElement(By.id("examples")).getText())
                .contains("Adapter output", "Date 2001-12-31 in words:", "December 13, 2001");
        // lineage
        assertThat(browser.driver().findElement(By.id("base-model-sha256")).getText())
                .isEqualTo(RegistryTestSupport.BASE_MODEL_SHA);
        assertThat(browser.driver().findElement(By.id("lineage-dataset")).getText()).contains(team + "/support@v2");
        assertThat(browser.driver().findElement(By.id("lineage-lora")).getText()).contains("r", "8", "q_proj, v_proj");
        assertThat(browser.driver().findElement(By.id("lineage-hyperparameters")).getText())
                .contains("learningRate", "0.0002");
        browser.snapshot("4-version");
    }

    private void downloadAndPromote(HeadlessChromium browser, String member) {
        String manifest = given().auth().oauth2(member).when()
                .get("/adapters/" + team + "/support-bot/versions/1").then().statusCode(200)
                .extract().path("version.artifact.manifestSha256");
        browser.driver().findElement(By.id("download")).click();
        browser.until(ExpectedConditions.textMatches(By.id("download-result"),
                java.util.regex.Pattern.compile("Saved " + team + "-support-bot-v1\\.zip \\(\\d")));
        assertThat(browser.driver().findElement(By.id("download-result")).getText()).contains(manifest);

        // a member promotes the passed version to staging
        assertThat(browser.driver().findElement(By.id("promote-reason-field")).isDisplayed())
                .as("no reason needed for a passed version").isFalse();
        new Select(browser.driver().findElement(By.id("promote-alias"))).selectByValue("staging");
        browser.driver().findElement(By.id("promote-submit")).click();
        browser.until(ExpectedConditions.textToBe(By.cssSelector("#promote-result [role='status']"),
                "staging now points at v1."));
        browser.visible(By.cssSelector("#version-aliases [data-alias='staging']"));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/support-bot").then().statusCode(200)
                .body("aliases.find { it.alias == 'staging' }.version", org.hamcrest.Matchers.equalTo(1));

        // ...but not the failed one, even with a reason: the API's code and message are shown
        browser.driver().findElement(By.cssSelector(".breadcrumb a[href$='/support-bot']")).click();
        browser.heading(team + "/support-bot");
        assertThat(browser.driver().findElement(By.cssSelector("#aliases tr[data-alias='staging']")).getText())
                .contains("v1");
        browser.driver().findElement(By.cssSelector("#versions tr[data-version='2'] a.version-link")).click();
        browser.heading(team + "/support-bot v2");
        WebElement reason = browser.visible(By.id("promote-reason"));
        reason.sendKeys("please");
        browser.driver().findElement(By.id("promote-submit")).click();
        WebElement refusal = browser.visible(By.cssSelector("#promote-result .problem"));
        assertThat(refusal.getAttribute("data-code")).isEqualTo("VERDICT_NOT_PASSED");
        assertThat(refusal.getText()).contains("VERDICT_NOT_PASSED", "v2 did not pass its evaluation gate",
                "only a maintainer");
        browser.snapshot("5-version-refused");
        given().auth().oauth2(member).when().get("/adapters/" + team + "/support-bot").then()
                .body("aliases.find { it.alias == 'staging' }.version", org.hamcrest.Matchers.equalTo(1));
    }

    private void compareVersions(HeadlessChromium browser) {
        browser.driver().findElement(By.cssSelector(".breadcrumb a[href$='/support-bot']")).click();
        browser.heading(team + "/support-bot");
        browser.driver().findElement(By.cssSelector("input[data-compare='1']")).click();
        browser.driver().findElement(By.cssSelector("input[data-compare='2']")).click();
        browser.until(ExpectedConditions.elementToBeClickable(By.id("compare-selected"))).click();
        browser.heading(team + "/support-bot: v1 vs v2");
        assertThat(browser.driver().findElement(By.id("settings")).getText()).contains("lora.r", "8", "16");
        assertThat(browser.driver().findElement(By.id("compare-metrics")).getText()).contains("accuracy", "−0.31");
        assertThat(browser.driver().findElements(By.cssSelector("svg[data-chart='loss'] g[data-series]"))).hasSize(4);
        browser.snapshot("6-compare");
    }

    private void overrideAsMaintainer(HeadlessChromium browser, String maintainer) {
        browser.driver().findElement(By.id("sign-out")).click();
        browser.heading("Sign in to browse the registry");
        signIn(browser, maintainer, "mia");
        browser.open(root + "#/adapters/" + team + "/support-bot/versions/2");
        browser.heading(team + "/support-bot v2");
        browser.visible(By.id("promote-reason")).sendKeys(REASON);
        new Select(browser.driver().findElement(By.id("promote-alias"))).selectByValue("staging");
        browser.driver().findElement(By.id("promote-submit")).click();
        browser.until(ExpectedConditions.textToBe(By.cssSelector("#promote-result [role='status']"),
                "staging now points at v2 (was v1); the failed gate was overridden and your reason recorded."));

        browser.driver().findElement(By.cssSelector(".breadcrumb a[href$='/support-bot']")).click();
        browser.heading(team + "/support-bot");
        WebElement latest = browser.visible(By.cssSelector("#audit tbody tr[data-alias='staging']"));
        assertThat(latest.getText()).contains("user:mia", "staging: v1 → v2", "gate overridden", REASON);
        assertThat(browser.driver().findElements(By.cssSelector("#audit tbody tr[data-alias='staging']"))).hasSize(2);
        browser.snapshot("7-adapter-audit");
        given().auth().oauth2(maintainer).when().get("/adapters/" + team + "/support-bot/audit").then()
                .statusCode(200).body("[0].overridden", org.hamcrest.Matchers.equalTo(true))
                .body("[0].reason", org.hamcrest.Matchers.equalTo(REASON));
    }

    private void baseModels(HeadlessChromium browser) {
        browser.driver().findElement(By.cssSelector("nav a[data-nav='base-models']")).click();
        browser.heading("Base models");
        WebElement row = browser.visible(By.cssSelector("#base-models tr[data-base-model='" + baseModel + "']"));
        assertThat(row.getText()).contains("LlamaForCausalLM", "42,144", "2 × 32", "float32");
        WebElement details = browser.driver().findElement(By.cssSelector("details[data-base-model='" + baseModel + "']"));
        details.findElement(By.tagName("summary")).click();
        browser.until(d -> details.getText().contains("REGISTERED") ? true : null);
        assertThat(details.getText()).contains("model.safetensors", "tokenizer.json", "user:root");
        browser.snapshot("8-base-models");
    }

    private static List<WebElement> rows(HeadlessChromium browser, String css) {
        return browser.driver().findElements(By.cssSelector(css));
    }
}
