package org.lorafoundry.cli;

import java.io.FileNotFoundException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.http.ApiClient.Reply;
import org.lorafoundry.cli.http.MultipartBody;
import org.lorafoundry.cli.http.Query;
import org.lorafoundry.cli.output.Fields;
import org.lorafoundry.cli.output.Output;
import org.lorafoundry.cli.output.Table;

/** {@code foundry datasets}: upload (streamed), list, show. */
@Command(name = "datasets", description = "Datasets: upload JSONL, list, show versions.")
final class DatasetsCommand {

    private static final String JSONL = "application/x-ndjson";
    /** Warnings listed after an upload; --json has them all. */
    private static final int WARNINGS_LISTED = 5;

    @ParentCommand
    FoundryCommand root;

    @Command(name = "upload", description = {"Upload a JSONL file (text, prompt_completion or chat_messages rows) as a "
            + "new version team/NAME@vN.", "The service validates every line; a rejected file lists its problems with "
            + "line numbers (exit code 3). Identical content answers the existing version."})
    int upload(@Parameters(index = "0", paramLabel = "NAME", description = "The dataset's name in the team.") String name,
            @Parameters(index = "1", paramLabel = "FILE", description = "The rows, JSONL.") Path file,
            @Option(names = "--validation", paramLabel = "FILE",
                    description = "A separate validation split (JSONL); --validation-fraction is then ignored.")
            Path validation,
            @Option(names = "--validation-fraction", paramLabel = "F",
                    description = "Fraction held out for validation, 0..0.5 (service default 0.1).") Double fraction,
            @Option(names = "--seed", description = "Split seed (service default 42).") Long seed,
            @Option(names = "--format", paramLabel = "FORMAT",
                    description = "text, prompt_completion or chat_messages (default: detected).") String format,
            @Option(names = "--base-model", paramLabel = "NAME", description = "Base model the rows are meant for.")
            String baseModel,
            @Option(names = "--sha256", paramLabel = "HEX", description = "Expected SHA-256 of FILE.") String sha256,
            @Option(names = "--description", paramLabel = "TEXT") String description) {
        requireFile(file);
        Query query = Query.of().with("team", root.settings().team()).with("validationFraction", fraction)
                .with("seed", seed).with("format", format).with("baseModel", baseModel).with("sha256", sha256)
                .with("description", description);
        Reply reply;
        try {
            if (validation == null) {
                // Streamed from the file: the service reads it line by line, whatever its size.
                BodyPublisher body = BodyPublishers.ofFile(file);
                reply = root.api().upload(Service.DATASETS, "/datasets/" + Query.segment(name), query, body, JSONL);
            } else {
                requireFile(validation);
                MultipartBody body = new MultipartBody().file("file", file, JSONL).file("validation", validation, JSONL);
                reply = root.api().upload(Service.DATASETS, "/datasets/" + Query.segment(name), query, body.publisher(),
                        body.contentType());
            }
        } catch (FileNotFoundException e) {
            throw CliException.usage("Cannot read " + e.getMessage());
        }
        JsonNode ingest = reply.body();
        if (root.output().json()) {
            root.output().json(ingest);
            return ExitCode.OK.code();
        }
        JsonNode version = ingest.path("dataset");
        boolean created = "created".equals(ingest.path("outcome").asText());
        root.output().line((created ? "Created " : "Unchanged, identical to ") + version.path("ref").asText() + ": "
                + splits(version) + ", format " + version.path("format").asText() + ", "
                + version.path("statistics").path("duplicatesRemoved").asLong() + " duplicates removed");
        JsonNode warnings = ingest.path("report").path("warnings");
        if (!warnings.isEmpty()) {
            root.output().line(warnings.size() + " warning(s):");
            for (int i = 0; i < Math.min(WARNINGS_LISTED, warnings.size()); i++) {
                JsonNode warning = warnings.get(i);
                root.output().line("  line " + warning.path("line").asLong() + ": " + warning.path("code").asText()
                        + ": " + warning.path("message").asText());
            }
        }
        return ExitCode.OK.code();
    }

    @Command(name = "list", description = "Datasets of your teams (of --team) with their latest version.")
    int list(@Option(names = "--page", defaultValue = "0", description = "0-based page.") int page,
            @Option(names = "--size", defaultValue = "20", description = "Datasets per page, 1..100.") int size) {
        JsonNode found = root.api().get(Service.DATASETS, "/datasets", Query.of().with("team", root.settings().team())
                .with("page", page).with("size", size));
        if (root.output().json()) {
            root.output().json(found);
            return ExitCode.OK.code();
        }
        Table table = Table.of("DATASET", "LATEST", "FORMAT", "ROWS", "UPDATED");
        for (JsonNode dataset : found.path("items")) {
            table.row(dataset.path("team").asText() + "/" + dataset.path("name").asText(),
                    "v" + dataset.path("latestVersion").asInt(), dataset.path("format").asText(),
                    dataset.path("rows").asLong(), Output.instant(dataset.get("updatedAt")));
        }
        root.output().table(table, "No datasets.");
        if (page + 1 < found.path("totalPages").asInt()) {
            root.output().note("More: --page " + (page + 1) + " (of " + found.path("totalPages").asInt() + ")");
        }
        return ExitCode.OK.code();
    }

    @Command(name = "show", description = "A dataset (its latest version and version list), or one version: NAME@vN.")
    int show(@Parameters(paramLabel = "[TEAM/]NAME[@vN]") String text) {
        ResourceRef ref = ResourceRef.parse(text, "a dataset");
        Query query = Query.of().with("team", ref.teamOr(root.settings().team()));
        String path = "/datasets/" + Query.segment(ref.name());
        if (ref.version() != null) {
            JsonNode version = root.api().get(Service.DATASETS, path + "/versions/" + Query.segment(ref.version()), query);
            if (root.output().json()) {
                root.output().json(version);
            } else {
                printVersion(version);
            }
            return ExitCode.OK.code();
        }
        JsonNode dataset = root.api().get(Service.DATASETS, path, query);
        if (root.output().json()) {
            root.output().json(dataset);
            return ExitCode.OK.code();
        }
        printVersion(dataset.path("latest"));
        root.output().line("");
        Table versions = Table.of("VERSION", "DATASET ID", "ROWS", "CREATED");
        for (JsonNode version : dataset.path("versions")) {
            versions.row("v" + version.path("version").asInt(), version.path("datasetId").asText(),
                    version.path("rows").asLong(), Output.instant(version.get("createdAt")));
        }
        root.output().table(versions, "No versions.");
        return ExitCode.OK.code();
    }

    private void printVersion(JsonNode version) {
        JsonNode statistics = version.path("statistics");
        List<String> labels = new ArrayList<>();
        version.path("labelValues").forEach(label -> labels.add(label.asText()));
        root.output().fields(Fields.of()
                .add("dataset", version.path("ref").asText())
                .add("id", version.path("datasetId").asText())
                .add("format", version.path("format").asText())
                .add("rows", statistics.path("rows").asLong() + " (" + statistics.path("rowsRead").asLong() + " read, "
                        + statistics.path("duplicatesRemoved").asLong() + " duplicates removed)")
                .add("splits", splits(version))
                .add("labels", labels.isEmpty() ? null : String.join(", ", labels))
                .add("description", version.path("description").asText())
                .add("source", version.path("sourceUri").asText())
                .add("created", Output.instant(version.get("createdAt")) + " by " + version.path("createdBy").asText()));
        Table splits = Table.of("SPLIT", "ROWS", "BYTES", "SHA256");
        for (JsonNode split : version.path("splits")) {
            splits.row(split.path("name").asText(), split.path("rows").asLong(), split.path("sizeBytes").asLong(),
                    split.path("sha256").asText());
        }
        root.output().table(splits, "No splits.");
    }

    private static String splits(JsonNode version) {
        List<String> parts = new ArrayList<>();
        version.path("splits").forEach(split -> parts.add(split.path("rows").asLong() + " " + split.path("name").asText()));
        return parts.isEmpty() ? "no splits" : String.join(" / ", parts) + " rows";
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw CliException.usage("No file " + file);
        }
        if (!Files.isReadable(file)) {
            throw CliException.usage("Cannot read " + file + " (permissions)");
        }
    }
}
