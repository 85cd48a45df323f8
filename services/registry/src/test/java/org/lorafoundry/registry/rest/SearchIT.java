package org.lorafoundry.registry.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.persistence.AdapterRepository;
import org.lorafoundry.registry.persistence.NewVersion;
import org.lorafoundry.registry.service.CatalogService;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Search and browse: every filter, both sort keys, cursor pagination; and the same queries over 10,000 versions
 * (inserted with JDBC batches through the repository, not as 10,000 Kafka events), timed end to end over HTTP.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class SearchIT {

    @Inject
    TokenIssuer tokens;
    @Inject
    Transactions transactions;
    @Inject
    AdapterRepository adapters;
    @Inject
    CatalogService catalog;

    @Test
    void filtersSortsAndCursorsFindExactlyTheRightVersions() throws Exception {
        String team = "srch-" + RegistryTestSupport.suffix();
        Instant start = Instant.now().minus(1, ChronoUnit.DAYS);
        List<NewVersion> versions = new ArrayList<>();
        double[][] accuracy = {{0.70, 0.75, 0.80, 0.85}, {0.60, 0.65, 0.90, 0.95}, {0.50, 0.55, 0.60, 0.65}};
        String[][] verdicts = {{"PASSED", "FAILED", "PASSED", "PASSED"}, {"PASSED", "PASSED", "FAILED", "PASSED"},
                {"FAILED", "FAILED", "FAILED", "FAILED"}};
        String[] names = {"alpha", "beta", "gamma"};
        String[] bases = {"base-x", "base-y", "base-x"};
        String[] descriptions = {"question answering", "summaries of 100% of tickets", "German QA"};
        List<Map<String, String>> tags = List.of(Map.of("task", "qa"), Map.of("task", "summarization", "lang", "en"),
                Map.of("task", "qa", "lang", "de"));
        int minute = 0;
        for (int a = 0; a < 3; a++) {
            for (int v = 1; v <= 4; v++) {
                versions.add(version(team, names[a], v, verdicts[a][v - 1], bases[a], tags.get(a), accuracy[a][v - 1],
                        descriptions[a] + " v" + v, start.plus(minute++, ChronoUnit.MINUTES)));
            }
        }
        transactions.inTransaction(tx -> {
            adapters.insertVersions(tx, versions);
            adapters.setAlias(tx, team, "alpha", "production", 3, "user:test");
            adapters.setAlias(tx, team, "beta", "staging", 4, "user:test");
            return null;
        });
        String token = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));
        String t = "team=" + team;

        assertThat(refs(search(token, t))).containsExactly("gamma@v4", "beta@v4", "alpha@v4");
        assertThat(refs(search(token, t + "&order=asc"))).containsExactly("alpha@v4", "beta@v4", "gamma@v4");
        assertThat(refs(search(token, t + "&versions=all&limit=200"))).hasSize(12);
        assertThat(refs(search(token, t + "&versions=all&baseModel=base-x&limit=200"))).hasSize(8)
                .allMatch(ref -> !ref.startsWith("beta"));
        assertThat(refs(search(token, t + "&tag=lang:de"))).containsExactly("gamma@v4");
        assertThat(refs(search(token, t + "&tag=lang&versions=all&limit=200"))).hasSize(8);
        assertThat(refs(search(token, t + "&tag=task:qa&tag=lang:de&versions=all&limit=200"))).hasSize(4);
        assertThat(refs(search(token, t + "&verdict=failed&versions=all&limit=200"))).hasSize(6);
        assertThat(refs(search(token, t + "&verdict=passed"))).containsExactly("beta@v4", "alpha@v4");
        assertThat(refs(search(token, t + "&metric=accuracy&min=0.8&max=0.9&versions=all&sort=metric&order=asc")))
                .containsExactly("alpha@v3", "alpha@v4", "beta@v3");
        JsonPath metric = search(token, t + "&metric=accuracy&min=0.9");
        assertThat(metric.getList("items.metricValue", Double.class)).containsExactly(0.95);
        assertThat(refs(search(token, t + "&q=GERMAN"))).containsExactly("gamma@v4");
        assertThat(refs(search(token, t + "&q=alph"))).containsExactly("alpha@v4");
        assertThat(refs(search(token, t + "&q=100%25"))).containsExactly("beta@v4");
        assertThat(refs(search(token, t + "&q=10_%25"))).isEmpty();
        assertThat(refs(search(token, t + "&alias=production"))).containsExactly("alpha@v3");
        assertThat(refs(search(token, t + "&alias=staging&verdict=passed"))).containsExactly("beta@v4");
        assertThat(search(token, t + "&alias=production").getList("items[0].version.aliases")).containsExactly("production");

        // cursors: every version exactly once, in order, whatever the page size
        List<String> byMetric = walk(token, t + "&versions=all&sort=metric&metric=accuracy&limit=5");
        // equal values: the later-registered version first (the id breaks ties in the sort's direction)
        assertThat(byMetric).containsExactly("beta@v4", "beta@v3", "alpha@v4", "alpha@v3", "alpha@v2", "alpha@v1",
                "gamma@v4", "beta@v2", "gamma@v3", "beta@v1", "gamma@v2", "gamma@v1");
        assertThat(walk(token, t + "&versions=all&sort=name&limit=5")).containsExactly("alpha@v1", "alpha@v2",
                "alpha@v3", "alpha@v4", "beta@v1", "beta@v2", "beta@v3", "beta@v4", "gamma@v1", "gamma@v2", "gamma@v3",
                "gamma@v4");
        assertThat(walk(token, t + "&versions=all&limit=7")).hasSize(12).doesNotHaveDuplicates();

        String cursor = search(token, t + "&versions=all&limit=5").getString("nextCursor");
        given().auth().oauth2(token).when().get("/adapters?" + t + "&versions=all&limit=5&sort=name&cursor=" + cursor)
                .then().statusCode(400).body("code", equalTo("INVALID_CURSOR"));
        given().auth().oauth2(token).when().get("/adapters?cursor=garbage").then().statusCode(400)
                .body("code", equalTo("INVALID_CURSOR"));
        given().auth().oauth2(token).when().get("/adapters?sort=metric").then().statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
        given().auth().oauth2(token).when().get("/adapters?limit=1000").then().statusCode(400);
    }

    /**
     * 10,000 versions: 400 adapters x 25 versions in three teams (the caller's, one shared org-wide, one private to
     * another team), 4 base models, 5 tasks, 70 % passed, aliases on about half the adapters. Each query runs twice to
     * warm up, then 10 times; the median and the maximum are printed (and written to target/search-performance.txt).
     */
    @Test
    void searchOverTenThousandVersionsStaysFast() throws Exception {
        String suffix = RegistryTestSupport.suffix();
        String mine = "perf-a-" + suffix;
        String shared = "perf-b-" + suffix;
        String hidden = "perf-c-" + suffix;
        String[] tasks = {"qa", "summarization", "classification", "chat", "extraction"};
        String[] domains = {"support", "legal", "medical", "finance", "retail"};
        String[] bases = {"tiny-llama", "qwen2-0.5b", "gpt2-small", "llama-1b"};
        Random random = new Random(7);
        Instant start = Instant.now().minus(100, ChronoUnit.DAYS);
        List<NewVersion> all = new ArrayList<>();
        Map<String, List<NewVersion>> byAdapter = new LinkedHashMap<>();
        for (int a = 0; a < 400; a++) {
            String team = a < 200 ? mine : a < 300 ? shared : hidden;
            String task = tasks[a % tasks.length];
            String name = task + "-" + String.format(Locale.ROOT, "%03d", a);
            String domain = domains[random.nextInt(domains.length)];
            String base = bases[random.nextInt(bases.length)];
            Instant created = start.plus(random.nextInt(60 * 24 * 10), ChronoUnit.MINUTES);
            for (int v = 1; v <= 25; v++) {
                created = created.plus(1 + random.nextInt(60 * 24 * 3), ChronoUnit.MINUTES);
                NewVersion version = version(team, name, v, random.nextDouble() < 0.7 ? "PASSED" : "FAILED", base,
                        Map.of("task", task, "domain", domain), random.nextDouble(),
                        "LoRA for " + task + " on " + domain + " data, rank " + (4 << random.nextInt(4)), created);
                all.add(version);
                byAdapter.computeIfAbsent(team + "/" + name, k -> new ArrayList<>()).add(version);
            }
        }
        long insertStart = System.nanoTime();
        for (int from = 0; from < all.size(); from += 1000) {
            List<NewVersion> batch = all.subList(from, Math.min(all.size(), from + 1000));
            transactions.inTransaction(tx -> {
                adapters.insertVersions(tx, batch);
                return null;
            });
        }
        transactions.inTransaction(tx -> {
            for (List<NewVersion> versions : byAdapter.values()) {
                NewVersion any = versions.get(0);
                if (any.team().equals(shared)) {
                    adapters.setVisibility(tx, any.team(), any.name(), "ORG");
                }
                List<NewVersion> passed = versions.stream().filter(v -> v.verdict().equals("PASSED")).toList();
                if (!passed.isEmpty() && random.nextDouble() < 0.5) {
                    adapters.setAlias(tx, any.team(), any.name(), "production",
                            passed.get(random.nextInt(passed.size())).version(), "user:test");
                }
                if (!passed.isEmpty() && random.nextDouble() < 0.7) {
                    adapters.setAlias(tx, any.team(), any.name(), "staging", passed.get(passed.size() - 1).version(),
                            "user:test");
                }
            }
            try (Statement statement = tx.createStatement()) {
                statement.execute("analyze"); // what autovacuum does after a bulk load; plans use fresh statistics
            }
            return null;
        });
        long insertMillis = (System.nanoTime() - insertStart) / 1_000_000;
        String token = tokens.mint("ann", List.of(mine), List.of(Role.MEMBER), Duration.ofMinutes(10));

        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("browse: latest version of each adapter, newest first", "limit=20");
        queries.put("team + verdict, all versions, sorted by metric", "versions=all&team=" + mine
                + "&verdict=passed&metric=accuracy&sort=metric&order=desc&limit=50");
        queries.put("base model + metric range, all versions", "versions=all&baseModel=qwen2-0.5b&metric=accuracy"
                + "&min=0.8&max=0.9&limit=50");
        queries.put("text in name/description, all versions", "versions=all&q=medical&limit=20");
        queries.put("tag, all versions", "versions=all&tag=task:chat&tag=domain:legal&limit=20");
        queries.put("alias=production", "alias=production&limit=50");
        queries.put("all versions by name", "versions=all&sort=name&limit=100");

        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "Search over %d versions (%d adapters, 3 teams); inserted in %d ms%n%-55s %8s %8s %8s%n", all.size(),
                byAdapter.size(), insertMillis, "query", "SQL ms", "HTTP p50", "HTTP max"));
        Set<String> visibleTeams = Set.of(mine, shared);
        Caller caller = new Caller("ann", Set.of(mine), Set.of(Role.MEMBER));
        for (Map.Entry<String, String> query : queries.entrySet()) {
            long[] millis = time(token, query.getValue());
            double[] sql = new double[5];
            for (int i = 0; i < sql.length; i++) {
                sql[i] = catalog.explain(caller, params(query.getValue())).executionMillis();
            }
            Arrays.sort(sql);
            report.append(String.format(Locale.ROOT, "%-55s %8.2f %8d %8d%n", query.getKey(), sql[sql.length / 2],
                    median(millis), max(millis)));
            assertThat(sql[sql.length / 2]).as(query.getKey() + " SQL ms").isLessThan(100);
            assertThat(median(millis)).as(query.getKey() + " median ms").isLessThan(1000);
            JsonPath page = search(token, query.getValue());
            assertThat(page.getList("items.version.team", String.class)).isNotEmpty().allMatch(visibleTeams::contains);
        }
        JsonPath byMetric = search(token, queries.get("team + verdict, all versions, sorted by metric"));
        List<Double> values = byMetric.getList("items.metricValue", Double.class);
        assertThat(values).hasSize(50).isSortedAccordingTo((x, y) -> Double.compare(y, x));
        assertThat(byMetric.getList("items.version.verdict", String.class)).containsOnly("PASSED");
        assertThat(search(token, queries.get("alias=production")).getList("items.version.aliases", List.class))
                .allMatch(aliases -> aliases.contains("production"));

        // walk every visible version (a + b: 7,500) by name, 100 per page: the last page costs what the first does
        String next = null;
        Set<String> seen = new HashSet<>();
        List<Long> pageMillis = new ArrayList<>();
        do {
            long begin = System.nanoTime();
            JsonPath page = search(token, "versions=all&sort=name&limit=100" + (next == null ? "" : "&cursor=" + next));
            pageMillis.add((System.nanoTime() - begin) / 1_000_000);
            for (Map<String, Object> item : page.<Map<String, Object>>getList("items")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> version = (Map<String, Object>) item.get("version");
                assertThat(seen.add((String) version.get("ref"))).isTrue();
            }
            next = page.getString("nextCursor");
        } while (next != null);
        assertThat(seen).hasSize(7500);
        long[] pages = pageMillis.stream().mapToLong(Long::longValue).toArray();
        report.append(String.format(Locale.ROOT, "%-55s %8s %8d %8d%n", "cursor walk, 75 pages of 100 by name (per page)",
                "", median(pages), max(pages)));
        report.append(String.format(Locale.ROOT, "  first page %d ms, last page %d ms%n", pages[0], pages[pages.length - 1]));
        assertThat(median(pages)).isLessThan(1000);
        System.out.println(report);
        write(report.toString());
    }

    /** The REST parameters of a query string, as the resource hands them to the catalog. */
    private static CatalogService.SearchParams params(String query) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            values.computeIfAbsent(pair.substring(0, equals), k -> new ArrayList<>())
                    .add(java.net.URLDecoder.decode(pair.substring(equals + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
        java.util.function.Function<String, String> one = name -> values.containsKey(name) ? values.get(name).get(0) : null;
        java.util.function.Function<String, Double> number = name -> one.apply(name) == null ? null
                : Double.valueOf(one.apply(name));
        return new CatalogService.SearchParams(one.apply("team"), one.apply("baseModel"),
                values.getOrDefault("tag", List.of()), one.apply("alias"), one.apply("verdict"), one.apply("metric"),
                number.apply("min"), number.apply("max"), one.apply("q"), one.apply("sort"), one.apply("order"),
                one.apply("versions"), one.apply("limit") == null ? null : Integer.valueOf(one.apply("limit")),
                one.apply("cursor"));
    }

    private long[] time(String token, String query) {
        for (int i = 0; i < 2; i++) {
            search(token, query);
        }
        long[] millis = new long[10];
        for (int i = 0; i < millis.length; i++) {
            long begin = System.nanoTime();
            search(token, query);
            millis[i] = (System.nanoTime() - begin) / 1_000_000;
        }
        return millis;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private static void write(String report) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("search-performance.txt"), report);
        }
    }

    /** {@code query} is a URL query string (values URL-encoded, e.g. {@code q=100%25}). */
    private static JsonPath search(String token, String query) {
        io.restassured.specification.RequestSpecification request = given().auth().oauth2(token);
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            request = request.queryParam(pair.substring(0, equals),
                    java.net.URLDecoder.decode(pair.substring(equals + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
        return request.when().get("/adapters").then().statusCode(200).extract().jsonPath();
    }

    private static List<String> refs(JsonPath page) {
        return page.getList("items.version", Map.class).stream()
                .map(v -> v.get("name") + "@v" + v.get("version")).toList();
    }

    private static List<String> walk(String token, String query) {
        List<String> refs = new ArrayList<>();
        String next = null;
        do {
            JsonPath page = search(token, query + (next == null ? "" : "&cursor=" + next));
            refs.addAll(refs(page));
            next = page.getString("nextCursor");
        } while (next != null);
        return refs;
    }

    static NewVersion version(String team, String name, int version, String verdict, String baseModel,
            Map<String, String> tags, double accuracy, String description, Instant createdAt) {
        String jobId = team + "." + name + "." + version;
        String manifest = "ef".repeat(32);
        Map<String, Double> metrics = new TreeMap<>();
        metrics.put("accuracy", accuracy);
        metrics.put("validation_loss", 2 - accuracy);
        return new NewVersion(team, name, version, jobId, verdict, baseModel, "ab".repeat(32), team + "/data@v1", "data",
                1, description, new TreeMap<>(tags), metrics,
                DirectoryRef.newBuilder().setUri("file:///nowhere/").setManifestSha256(manifest).build(),
                "test data: no files", null,
                AdapterVersionRegistered.newBuilder().setTeam(team).setAdapterName(name).setVersion(version)
                        .setJobId(jobId).build(),
                null, "seed", "job:" + jobId, createdAt);
    }
}
