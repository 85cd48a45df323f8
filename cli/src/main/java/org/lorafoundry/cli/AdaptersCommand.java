package org.lorafoundry.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.http.ApiClient;
import org.lorafoundry.cli.http.Query;
import org.lorafoundry.cli.output.Fields;
import org.lorafoundry.cli.output.Output;
import org.lorafoundry.cli.output.Table;

/** {@code foundry adapters}: search, show, download (verified), promote to an alias. */
@Command(name = "adapters", description = "Adapters in the registry: list (search), show, download, promote.")
final class AdaptersCommand {

    @ParentCommand
    FoundryCommand root;

    @Command(name = "list", description = "Search adapter versions (by default the latest version of each adapter).")
    int list(@Option(names = "--base-model", paramLabel = "NAME") String baseModel,
            @Option(names = "--alias", paramLabel = "ALIAS", description = "Versions holding this alias.") String alias,
            @Option(names = "--verdict", paramLabel = "passed|failed") String verdict,
            @Option(names = "--tag", paramLabel = "KEY[:VALUE]", description = "Repeat for several (all must match).")
            List<String> tags,
            @Option(names = {"-q", "--query"}, paramLabel = "TEXT",
                    description = "Substring of the name or description.") String text,
            @Option(names = "--metric", paramLabel = "NAME", description = "Metric for --min/--max/--sort metric.")
            String metric,
            @Option(names = "--min", paramLabel = "X") Double min,
            @Option(names = "--max", paramLabel = "X") Double max,
            @Option(names = "--sort", paramLabel = "created|name|metric") String sort,
            @Option(names = "--order", paramLabel = "asc|desc") String order,
            @Option(names = "--all-versions", description = "Every version, not only the latest.") boolean allVersions,
            @Option(names = "--limit", paramLabel = "N", description = "1..200 (service default 20).") Integer limit,
            @Option(names = "--cursor", paramLabel = "CURSOR", description = "The previous page's next cursor.")
            String cursor) {
        Query query = Query.of().with("team", root.settings().team()).with("baseModel", baseModel).with("alias", alias)
                .with("verdict", verdict).withEach("tag", tags == null ? List.of() : tags).with("q", text)
                .with("metric", metric).with("min", min).with("max", max).with("sort", sort).with("order", order)
                .with("versions", allVersions ? "all" : null).with("limit", limit).with("cursor", cursor);
        JsonNode page = root.api().get(Service.REGISTRY, "/adapters", query);
        if (root.output().json()) {
            root.output().json(page);
            return ExitCode.OK.code();
        }
        Table table = Table.of("ADAPTER", "VERDICT", "ALIASES", "BASE MODEL", "DATASET", "CREATED");
        for (JsonNode hit : page.path("items")) {
            JsonNode version = hit.path("version");
            table.row(version.path("ref").asText(), version.path("verdict").asText(), strings(version.path("aliases")),
                    version.path("baseModel").path("name").asText(), dataset(version.path("dataset")),
                    Output.instant(version.get("createdAt")));
        }
        root.output().table(table, "No adapters.");
        if (page.hasNonNull("nextCursor")) {
            root.output().note("More: --cursor " + page.get("nextCursor").asText());
        }
        return ExitCode.OK.code();
    }

    @Command(name = "show", description = "An adapter (aliases, versions), or one version with its lineage: "
            + "[TEAM/]NAME@VERSION (a number or an alias).")
    int show(@Parameters(paramLabel = "[TEAM/]NAME[@VERSION]") String text) {
        ResourceRef ref = ResourceRef.parse(text, "an adapter");
        String path = adapterPath(ref);
        if (ref.version() != null) {
            JsonNode version = root.api().get(Service.REGISTRY, path + "/versions/" + Query.segment(ref.version()),
                    Query.of());
            if (root.output().json()) {
                root.output().json(version);
            } else {
                printVersion(version);
            }
            return ExitCode.OK.code();
        }
        JsonNode adapter = root.api().get(Service.REGISTRY, path, Query.of());
        if (root.output().json()) {
            root.output().json(adapter);
            return ExitCode.OK.code();
        }
        root.output().fields(Fields.of()
                .add("adapter", adapter.path("team").asText() + "/" + adapter.path("name").asText())
                .add("visibility", adapter.path("visibility").asText())
                .add("latest", "v" + adapter.path("latestVersion").asInt())
                .add("versions", adapter.path("versionCount").asLong())
                .add("updated", Output.instant(adapter.get("updatedAt"))));
        Table aliases = Table.of("ALIAS", "VERSION", "VERDICT", "BY", "AT");
        for (JsonNode alias : adapter.path("aliases")) {
            aliases.row(alias.path("alias").asText(), "v" + alias.path("version").asInt(), alias.path("verdict").asText(),
                    alias.path("updatedBy").asText(), Output.instant(alias.get("updatedAt")));
        }
        root.output().line("");
        root.output().table(aliases, "No aliases.");
        Table versions = Table.of("VERSION", "VERDICT", "ALIASES", "JOB", "CREATED");
        for (JsonNode version : adapter.path("versions")) {
            versions.row("v" + version.path("version").asInt(), version.path("verdict").asText(),
                    strings(version.path("aliases")), version.path("jobId").asText(),
                    Output.instant(version.get("createdAt")));
        }
        root.output().line("");
        root.output().table(versions, "No versions.");
        return ExitCode.OK.code();
    }

    @Command(name = "download", description = {"Download a version as a zip of its PEFT directory (adapter files, model "
            + "card, SHA256SUMS), verified against the registered checksums.", "Without @VERSION: the latest."})
    int download(@Parameters(paramLabel = "[TEAM/]NAME[@VERSION]") String text,
            @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                    description = "Where to write the zip (default: ./<team>-<name>-v<N>.zip).") Path output) {
        ResourceRef ref = ResourceRef.parse(text, "an adapter");
        String team = team(ref);
        int version = versionNumber(ref);
        Path target = output != null ? output : Path.of(team + "-" + ref.name() + "-v" + version + ".zip");
        ApiClient.Download download = root.api().download(Service.REGISTRY,
                adapterPath(ref) + "/versions/" + version + "/download", Query.of(), target);
        int files;
        try {
            files = AdapterArchive.verify(download.file(), download.header("X-Manifest-Sha256").orElse(null));
        } catch (CliException e) {
            deleteQuietly(download.file());
            throw e;
        }
        if (root.output().json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("adapter", download.header("X-Adapter-Ref").orElse(team + "/" + ref.name() + "@v" + version));
            result.put("file", download.file().toString());
            result.put("sizeBytes", download.sizeBytes());
            result.put("manifestSha256", download.header("X-Manifest-Sha256").orElse(null));
            result.put("filesVerified", files);
            root.output().json(result);
        } else {
            root.output().line("Saved " + download.header("X-Adapter-Ref").orElse(team + "/" + ref.name() + "@v"
                    + version) + " to " + download.file() + " (" + download.sizeBytes() + " bytes, " + files
                    + " files verified against SHA256SUMS)");
        }
        return ExitCode.OK.code();
    }

    @Command(name = "promote", description = {"Point an alias (staging, production, ...) at a version.",
            "A version that failed its gate needs a maintainer and --reason (recorded in the audit trail); "
                    + "production needs a maintainer."})
    int promote(@Parameters(paramLabel = "[TEAM/]NAME@VERSION",
                    description = "The version: a number, or an alias whose version to promote (e.g. @staging).")
            String text,
            @Option(names = "--alias", required = true, paramLabel = "ALIAS", description = "The alias to move.")
            String alias,
            @Option(names = "--reason", paramLabel = "TEXT",
                    description = "Why; required to override a failed gate (maintainers).") String reason) {
        ResourceRef ref = ResourceRef.parse(text, "an adapter version");
        if (ref.version() == null) {
            throw CliException.usage("Say which version to promote: " + ref.name() + "@3, or @staging for the "
                    + "version another alias holds");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", versionNumber(ref));
        if (reason != null) {
            body.put("overrideReason", reason);
        }
        JsonNode change = root.api().send(Service.REGISTRY, "PUT", adapterPath(ref) + "/aliases/"
                + Query.segment(alias), Query.of(), body, Map.of()).body();
        if (root.output().json()) {
            root.output().json(change);
            return ExitCode.OK.code();
        }
        String adapter = change.path("team").asText() + "/" + change.path("name").asText();
        if (!change.path("changed").asBoolean()) {
            root.output().line(adapter + ": " + alias + " already points at v" + change.path("toVersion").asInt()
                    + "; nothing changed");
        } else {
            String from = change.hasNonNull("fromVersion") ? "v" + change.get("fromVersion").asInt() : "(new)";
            root.output().line(adapter + ": " + alias + " " + from + " -> v" + change.path("toVersion").asInt()
                    + (change.path("overridden").asBoolean() ? " (failed gate overridden: " + reason + ")" : ""));
        }
        return ExitCode.OK.code();
    }

    private void printVersion(JsonNode detail) {
        JsonNode version = detail.path("version");
        List<String> metrics = new ArrayList<>();
        version.path("metrics").fields().forEachRemaining(metric -> metrics.add(metric.getKey() + "="
                + metric.getValue().asText()));
        JsonNode artifact = version.path("artifact");
        root.output().fields(Fields.of()
                .add("adapter", version.path("ref").asText())
                .add("verdict", version.path("verdict").asText())
                .add("summary", detail.path("evaluationSummary").asText())
                .add("aliases", strings(version.path("aliases")))
                .add("visibility", version.path("visibility").asText())
                .add("metrics", String.join("  ", metrics))
                .add("base model", version.path("baseModel").path("name").asText() + " (sha256 "
                        + version.path("baseModel").path("sha256").asText() + ")")
                .add("dataset", dataset(version.path("dataset")))
                .add("job", version.path("jobId").asText())
                .add("artifact", artifact.path("downloadable").asBoolean(true)
                        ? "manifest sha256 " + artifact.path("manifestSha256").asText() + ", "
                                + artifact.path("sizeBytes").asLong() + " bytes"
                        : "not downloadable: " + artifact.path("problem").asText())
                .add("description", version.path("description").asText())
                .add("created", Output.instant(version.get("createdAt")) + " by " + version.path("createdBy").asText()));
    }

    private String team(ResourceRef ref) {
        return ref.team() != null ? ref.team() : root.settings().requireTeam("owns the adapter (or write TEAM/NAME)");
    }

    private String adapterPath(ResourceRef ref) {
        return "/adapters/" + Query.segment(team(ref)) + "/" + Query.segment(ref.name());
    }

    /** The version as a number: given, or the one an alias holds, or (none given) the latest. */
    private int versionNumber(ResourceRef ref) {
        if (ref.versionNumber() != null) {
            return ref.versionNumber();
        }
        if (ref.version() != null) {
            return root.api().get(Service.REGISTRY, adapterPath(ref) + "/versions/" + Query.segment(ref.version()),
                    Query.of()).path("version").path("version").asInt();
        }
        return root.api().get(Service.REGISTRY, adapterPath(ref), Query.of()).path("latestVersion").asInt();
    }

    private static String dataset(JsonNode dataset) {
        String name = dataset.path("name").asText("");
        return name.isEmpty() ? dataset.path("datasetId").asText() : name + "@v" + dataset.path("version").asInt();
    }

    private static String strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return String.join(",", values);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            // the error about the check says what matters; a leftover file is named in it
        }
    }
}
