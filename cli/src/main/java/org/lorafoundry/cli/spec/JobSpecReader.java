package org.lorafoundry.cli.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.proto.v1.JobSpec;

/**
 * Reads a job spec from YAML or JSON into a {@code foundry.v1.JobSpec}. Both are the canonical protobuf JSON mapping
 * the jobs API accepts (field names in lowerCamelCase or as in {@code spec.proto}, enums by name), YAML being only
 * another spelling of the same tree. Parsing is strict, as the jobs service's is: a misspelt field is an error here,
 * before anything is sent, never a silently applied default.
 */
public final class JobSpecReader {

    /** The code of a spec that is not a JobSpec: the same the jobs API answers ({@code 400 MALFORMED_SPEC}). */
    public static final String MALFORMED_SPEC = "MALFORMED_SPEC";

    private final ObjectMapper yaml = new YAMLMapper();
    private final ObjectMapper json = new ObjectMapper();

    /** Reads {@code file}; {@code -} reads standard input. */
    public JobSpec read(String file, InputStream stdin) {
        String source = "-".equals(file) ? "standard input" : file;
        String text;
        try {
            text = "-".equals(file) ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage("No job spec file " + file);
        } catch (IOException e) {
            throw CliException.usage("Cannot read the job spec " + source + ": " + e.getMessage());
        }
        return parse(text, source);
    }

    /**
     * @param source where the text came from, for messages; a name ending in {@code .json} is read as JSON, anything
     *               else as YAML (which JSON also is)
     */
    public JobSpec parse(String text, String source) {
        JsonNode tree;
        try {
            tree = (source.toLowerCase(Locale.ROOT).endsWith(".json") ? json : yaml).readTree(text);
        } catch (JacksonException e) {
            throw invalid(source, "it is not valid " + (source.endsWith(".json") ? "JSON" : "YAML or JSON") + ": "
                    + e.getOriginalMessage() + location(e));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw invalid(source, "it is empty");
        }
        if (!tree.isObject()) {
            throw invalid(source, "it must be a mapping of JobSpec fields (jobId, baseModel, dataset, lora, ...), "
                    + "not " + (tree.isArray() ? "a list" : "the single value '" + tree.asText() + "'"));
        }
        JobSpec.Builder spec = JobSpec.newBuilder();
        try {
            JsonFormat.parser().merge(json.writeValueAsString(tree), spec);
        } catch (InvalidProtocolBufferException e) {
            throw invalid(source, e.getMessage() + " (field names as in spec.proto, e.g. lora_alpha or loraAlpha; "
                    + "enums by name, e.g. PRIORITY_CLASS_HIGH)");
        } catch (JacksonException e) {
            throw new IllegalStateException("A parsed tree always writes as JSON", e);
        }
        return spec.build();
    }

    private static CliException invalid(String source, String why) {
        return new CliException(ExitCode.REFUSED, MALFORMED_SPEC, "The job spec " + source
                + " is not a foundry.v1.JobSpec: " + why);
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
