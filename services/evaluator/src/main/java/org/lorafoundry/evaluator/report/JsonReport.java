package org.lorafoundry.evaluator.report;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

import org.lorafoundry.evaluator.model.GenerationExample;
import org.lorafoundry.platform.blob.BlobRef;

/**
 * The machine-readable report ({@value #FORMAT}): {@code evaluation} is the EvaluationCompleted in the protobuf JSON
 * mapping (lowerCamelCase names, enums by name, NaN as "NaN"), next to the gate policy applied and where it came from,
 * the metric names nobody computes, the example generations, and the location of the HTML page.
 */
public final class JsonReport {

    public static final String FORMAT = "foundry.evaluation-report.v1";
    public static final String MEDIA_TYPE = "application/json";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonFormat.Printer PROTO = JsonFormat.printer().omittingInsignificantWhitespace();

    private JsonReport() {
    }

    /** @param html where the HTML page of the same report was stored */
    public static byte[] render(ReportContent content, BlobRef html) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.set("evaluation", tree(content.completed()));
        root.set("gatePolicy", tree(content.policy()));
        root.put("gatePolicySource", content.policySource());
        ArrayNode unknown = root.putArray("unknownMetrics");
        content.unknownMetrics().forEach(unknown::add);
        ArrayNode examples = root.putArray("examples");
        for (GenerationExample example : content.examples()) {
            examples.addObject().put("prompt", example.prompt()).put("reference", example.reference())
                    .put("baseModelOutput", example.baseModelOutput()).put("adapterOutput", example.adapterOutput());
        }
        root.putObject("htmlReport").put("uri", html.uri().toString()).put("sha256", html.sha256())
                .put("sizeBytes", html.sizeBytes()).put("mediaType", HtmlReport.MEDIA_TYPE);
        try {
            return MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON report", e);
        }
    }

    private static JsonNode tree(MessageOrBuilder message) {
        try {
            return MAPPER.readTree(PROTO.print(message));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
