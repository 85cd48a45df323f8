package org.lorafoundry.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.http.ApiClient.Reply;
import org.lorafoundry.cli.http.Query;
import org.lorafoundry.cli.output.Fields;
import org.lorafoundry.cli.output.Output;
import org.lorafoundry.cli.output.Table;

/** {@code foundry models}: register a base model (admins), list, show. */
@Command(name = "models", description = "Base models in the registry: add (admins), list, show.")
final class ModelsCommand {

    @ParentCommand
    FoundryCommand root;

    @Command(name = "add", description = {"Register a Hugging Face model directory (config.json, tokenizer.json, "
            + "*.safetensors) as a base model. Admins only.", "The directory must lie under the registry's model "
            + "roots, on the registry's machine."})
    int add(@Parameters(index = "0", paramLabel = "NAME", description = "Unique name, e.g. tiny-llama-1m.") String name,
            @Parameters(index = "1", paramLabel = "LOCATION",
                    description = "A file:// URI, or a directory path (made absolute).") String location,
            @Option(names = "--description", paramLabel = "TEXT") String description,
            @Option(names = "--replace", description = "Replace a registration with another checksum (audited).")
            boolean replace) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("location", locationUri(location));
        body.put("description", description);
        Reply reply = root.api().send(Service.REGISTRY, "POST", "/base-models",
                Query.of().with("replace", replace ? "true" : null), body, Map.of());
        if (root.output().json()) {
            root.output().json(reply.body());
            return ExitCode.OK.code();
        }
        JsonNode model = reply.body().path("baseModel");
        String outcome = switch (reply.body().path("outcome").asText()) {
            case "created" -> "Registered";
            case "replaced" -> "Replaced";
            default -> "Unchanged (same checksum)";
        };
        root.output().line(outcome + " " + model.path("name").asText() + ": " + model.path("architecture").asText()
                + ", " + String.format(Locale.ROOT, "%,d", model.path("parameterCount").asLong()) + " parameters, sha256 "
                + model.path("sha256").asText());
        return ExitCode.OK.code();
    }

    @Command(name = "list", description = "Every registered base model.")
    int list() {
        JsonNode models = root.api().get(Service.REGISTRY, "/base-models", Query.of());
        if (root.output().json()) {
            root.output().json(models);
            return ExitCode.OK.code();
        }
        Table table = Table.of("NAME", "ARCHITECTURE", "PARAMETERS", "BYTES", "SHA256", "UPDATED");
        for (JsonNode model : models) {
            table.row(model.path("name").asText(), model.path("architecture").asText(),
                    String.format(Locale.ROOT, "%,d", model.path("parameterCount").asLong()),
                    model.path("totalSizeBytes").asLong(), abbreviated(model.path("sha256").asText()),
                    Output.instant(model.get("updatedAt")));
        }
        root.output().table(table, "No base models (an admin adds one: foundry models add NAME DIRECTORY).");
        return ExitCode.OK.code();
    }

    @Command(name = "show", description = "A base model: config summary, files, registration history.")
    int show(@Parameters(paramLabel = "NAME") String name) {
        JsonNode detail = root.api().get(Service.REGISTRY, "/base-models/" + Query.segment(name), Query.of());
        if (root.output().json()) {
            root.output().json(detail);
            return ExitCode.OK.code();
        }
        JsonNode model = detail.path("baseModel");
        JsonNode config = model.path("config");
        root.output().fields(Fields.of()
                .add("name", model.path("name").asText())
                .add("architecture", model.path("architecture").asText())
                .add("parameters", String.format(Locale.ROOT, "%,d", model.path("parameterCount").asLong()))
                .add("layers", config.path("numHiddenLayers").asText())
                .add("hidden size", config.path("hiddenSize").asText())
                .add("vocabulary", config.path("vocabSize").asText())
                .add("context", config.path("maxPositionEmbeddings").asText())
                .add("location", model.path("locationUri").asText())
                .add("sha256", model.path("sha256").asText())
                .add("description", model.path("description").asText())
                .add("registered by", model.path("registeredBy").asText()));
        Table files = Table.of("FILE", "BYTES", "SHA256");
        for (JsonNode file : model.path("files")) {
            files.row(file.path("path").asText(), file.path("sizeBytes").asLong(), file.path("sha256").asText());
        }
        root.output().line("");
        root.output().table(files, "No files.");
        return ExitCode.OK.code();
    }

    /** A file:// URI as given, or a local directory path made absolute (the registry resolves it on its machine). */
    static String locationUri(String location) {
        if (location.contains("://")) {
            return location;
        }
        String uri = Path.of(location).toAbsolutePath().normalize().toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    private static String abbreviated(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
    }
}
