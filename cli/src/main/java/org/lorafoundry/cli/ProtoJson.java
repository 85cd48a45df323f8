package org.lorafoundry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * The services' protobuf JSON (job specs sent, progress and job events received) between Jackson trees and the
 * contract's messages. Reading ignores unknown fields: a newer service may add some.
 */
final class ProtoJson {

    private static final JsonFormat.Parser LENIENT = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private ProtoJson() {
    }

    /** {@code data} read into {@code builder}; an answer the contract cannot read is the service's fault. */
    static <B extends Message.Builder> B read(JsonNode data, B builder, ObjectMapper mapper) {
        try {
            LENIENT.merge(mapper.writeValueAsString(data), builder);
            return builder;
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "BAD_RESPONSE", "A service sent data this CLI cannot read "
                    + "as " + builder.getDescriptorForType().getFullName() + " (" + e.getMessage() + "): " + data);
        }
    }

    static JsonNode tree(MessageOrBuilder message, ObjectMapper mapper) {
        try {
            return mapper.readTree(PRINTER.print(message));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("A message always prints as JSON", e);
        }
    }
}
