package org.lorafoundry.jobs.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

import org.lorafoundry.proto.v1.JobSpec;

/** Job specs in the canonical protobuf JSON mapping (field names in lowerCamelCase or as in the .proto). */
final class ProtoJson {

    static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private ProtoJson() {
    }

    /** Strict: an unknown field is an error, so a typo never silently falls back to a default. */
    static JobSpec spec(String json) throws InvalidProtocolBufferException {
        JobSpec.Builder spec = JobSpec.newBuilder();
        JsonFormat.parser().merge(json == null || json.isBlank() ? "{}" : json, spec);
        return spec.build();
    }

    static JsonNode tree(MessageOrBuilder message) {
        try {
            return MAPPER.readTree(PRINTER.print(message));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("Cannot render " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
