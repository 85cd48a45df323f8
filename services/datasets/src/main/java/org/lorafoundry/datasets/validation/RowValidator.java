package org.lorafoundry.datasets.validation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.lorafoundry.proto.v1.DatasetFormat;

/**
 * Validates and normalises one JSONL row at a time. The first row whose format can be told (or the format hint) fixes
 * the dataset's format, and whether its rows carry a {@code label}; every later row must agree.
 *
 * <p>A valid row is normalised to compact JSON with only the fields of its format, in a fixed order:
 * <ul>
 * <li>{@code {"text": ...}}</li>
 * <li>{@code {"prompt": ..., "completion": ...}}</li>
 * <li>{@code {"messages": [{"role": ..., "content": ..., "weight": 0|1}, ...]}} ({@code weight} only when given)</li>
 * </ul>
 * followed by {@code "label"} when the dataset is labelled. Other fields are dropped; strings are kept exactly.
 */
public final class RowValidator {

    public static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private DatasetFormat format;
    private final boolean hinted;
    private long formatLine;
    private Boolean labelled;
    private long labelLine;

    private final Buffer normalised = new Buffer();
    private long characters;
    private String label;

    /** @param formatHint the expected format; {@code DATASET_FORMAT_UNSPECIFIED} = detect from the first row */
    public RowValidator(DatasetFormat formatHint) {
        this.format = formatHint == null ? DatasetFormat.DATASET_FORMAT_UNSPECIFIED : formatHint;
        this.hinted = this.format != DatasetFormat.DATASET_FORMAT_UNSPECIFIED;
    }

    /** The dataset's format so far ({@code UNSPECIFIED} until a row or the hint told it). */
    public DatasetFormat format() {
        return format;
    }

    /** Whether the rows carry labels; false until a row told. */
    public boolean labelled() {
        return Boolean.TRUE.equals(labelled);
    }

    /**
     * Validates one row (valid UTF-8, without its line end). Problems go to {@code problems} as errors.
     *
     * @return true when the row is valid; {@link #normalised()}, {@link #characters()} and {@link #label()} then describe it
     */
    public boolean validate(long line, byte[] bytes, int length, String input, ProblemCollector problems) {
        RowProblems row = new RowProblems(line, input, problems);
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes, 0, length);
        } catch (JsonProcessingException e) {
            row.add(ProblemCode.NOT_JSON, "Not valid JSON: " + e.getOriginalMessage(), "");
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || !node.isObject()) {
            row.add(ProblemCode.NOT_JSON, "Expected a JSON object, found " + describe(node), "");
            return false;
        }
        DatasetFormat rowFormat = detect(node, row);
        if (rowFormat == null) {
            return false;
        }
        characters = 0;
        switch (rowFormat) {
            case DATASET_FORMAT_TEXT -> characters += requireText(node, "text", "text", row);
            case DATASET_FORMAT_PROMPT_COMPLETION -> {
                characters += requireText(node, "prompt", "prompt", row);
                characters += requireText(node, "completion", "completion", row);
            }
            case DATASET_FORMAT_CHAT_MESSAGES -> checkMessages(node.get("messages"), row);
            default -> throw new IllegalStateException("format " + rowFormat);
        }
        checkLabel(node.get("label"), line, row);
        if (row.count > 0) {
            return false;
        }
        normalise(node, rowFormat);
        return true;
    }

    /** The current row's format, or null (with a problem recorded) when it has none or disagrees with the dataset's. */
    private DatasetFormat detect(JsonNode node, RowProblems row) {
        boolean chat = node.has("messages");
        boolean promptCompletion = node.has("prompt") || node.has("completion");
        boolean text = node.has("text");
        int kinds = (chat ? 1 : 0) + (promptCompletion ? 1 : 0) + (text ? 1 : 0);
        if (kinds > 1) {
            List<String> found = new ArrayList<>();
            if (text) {
                found.add("text");
            }
            if (promptCompletion) {
                found.add("prompt/completion");
            }
            if (chat) {
                found.add("messages");
            }
            row.add(ProblemCode.MIXED_FORMATS, "The row has fields of several formats (" + String.join(", ", found)
                    + "); use exactly one", "");
            return null;
        }
        DatasetFormat rowFormat = chat ? DatasetFormat.DATASET_FORMAT_CHAT_MESSAGES
                : promptCompletion ? DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION
                : text ? DatasetFormat.DATASET_FORMAT_TEXT : DatasetFormat.DATASET_FORMAT_UNSPECIFIED;
        if (format == DatasetFormat.DATASET_FORMAT_UNSPECIFIED) {
            if (rowFormat == DatasetFormat.DATASET_FORMAT_UNSPECIFIED) {
                row.add(ProblemCode.UNKNOWN_FORMAT, "The row has none of the fields \"text\", \"prompt\"/\"completion\" "
                        + "or \"messages\", so its format is unknown", "");
                return null;
            }
            format = rowFormat;
            formatLine = row.line;
            return rowFormat;
        }
        if (rowFormat == DatasetFormat.DATASET_FORMAT_UNSPECIFIED) {
            String field = requiredField(format);
            row.add(ProblemCode.MISSING_FIELD, "Missing \"" + field + "\": the dataset is " + name(format) + " "
                    + formatOrigin(), field);
            return null;
        }
        if (rowFormat != format) {
            row.add(ProblemCode.MIXED_FORMATS, "The row is " + name(rowFormat) + " but the dataset is " + name(format)
                    + " " + formatOrigin() + "; one file holds one format", "");
            return null;
        }
        return rowFormat;
    }

    private String formatOrigin() {
        return hinted ? "(format hint)" : "(line " + formatLine + ")";
    }

    private static long requireText(JsonNode node, String name, String path, RowProblems row) {
        JsonNode value = node.get(name);
        if (value == null) {
            row.add(ProblemCode.MISSING_FIELD, "Missing \"" + name + "\"", path);
            return 0;
        }
        if (!value.isTextual()) {
            row.add(ProblemCode.WRONG_TYPE, "\"" + name + "\" must be a string, found " + describe(value), path);
            return 0;
        }
        String text = value.textValue();
        if (text.isBlank()) {
            row.add(ProblemCode.EMPTY_CONTENT, "\"" + name + "\" is empty or whitespace only", path);
            return 0;
        }
        return text.codePointCount(0, text.length());
    }

    private void checkMessages(JsonNode messages, RowProblems row) {
        if (!messages.isArray()) {
            row.add(ProblemCode.WRONG_TYPE, "\"messages\" must be an array, found " + describe(messages), "messages");
            return;
        }
        if (messages.isEmpty()) {
            row.add(ProblemCode.EMPTY_CONTENT, "\"messages\" is empty", "messages");
            return;
        }
        int assistantTurns = 0;
        int trainedTurns = 0;
        boolean afterNonSystem = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String path = "messages[" + i + "]";
            if (!message.isObject()) {
                row.add(ProblemCode.WRONG_TYPE, path + " must be an object, found " + describe(message), path);
                continue;
            }
            JsonNode role = message.get("role");
            String roleName = null;
            if (role == null) {
                row.add(ProblemCode.MISSING_FIELD, "Missing \"role\"", path + ".role");
            } else if (!role.isTextual()) {
                row.add(ProblemCode.WRONG_TYPE, "\"role\" must be a string, found " + describe(role), path + ".role");
            } else if (!ROLES.contains(role.textValue())) {
                row.add(ProblemCode.UNKNOWN_ROLE, "Unknown role \"" + role.textValue()
                        + "\" (system, user or assistant)", path + ".role");
            } else {
                roleName = role.textValue();
            }
            characters += requireText(message, "content", path + ".content", row);
            JsonNode weight = message.get("weight");
            int weightValue = 1;
            if (weight != null) {
                if (!weight.isIntegralNumber() || (weight.asLong() != 0 && weight.asLong() != 1)) {
                    row.add(ProblemCode.WRONG_TYPE, "\"weight\" must be 0 or 1, found " + describe(weight),
                            path + ".weight");
                } else {
                    weightValue = weight.asInt();
                }
            }
            if ("system".equals(roleName)) {
                if (afterNonSystem) {
                    row.add(ProblemCode.BAD_ROLE_ORDER, "A system turn after a user or assistant turn; system turns "
                            + "come first", path + ".role");
                }
            } else if (roleName != null) {
                afterNonSystem = true;
            }
            if ("assistant".equals(roleName)) {
                assistantTurns++;
                trainedTurns += weightValue;
            }
        }
        if (assistantTurns == 0) {
            row.add(ProblemCode.NO_ASSISTANT_TURN, "No assistant turn: nothing to learn", "messages");
        } else if (trainedTurns == 0) {
            row.add(ProblemCode.NO_ASSISTANT_TURN, "Every assistant turn has weight 0: nothing to learn", "messages");
        }
    }

    private void checkLabel(JsonNode value, long line, RowProblems row) {
        label = null;
        if (value != null) {
            if (!value.isTextual()) {
                row.add(ProblemCode.WRONG_TYPE, "\"label\" must be a string, found " + describe(value), "label");
            } else if (value.textValue().isBlank()) {
                row.add(ProblemCode.EMPTY_CONTENT, "\"label\" is empty or whitespace only", "label");
            } else {
                label = value.textValue();
            }
        }
        if (labelled == null) {
            labelled = value != null;
            labelLine = line;
        } else if (labelled && value == null) {
            row.add(ProblemCode.MISSING_FIELD, "Missing \"label\": line " + labelLine + " has one, so every row needs one",
                    "label");
        } else if (!labelled && value != null) {
            row.add(ProblemCode.MIXED_FORMATS, "The row has a \"label\" but line " + labelLine
                    + " has none: label every row or none", "label");
        }
    }

    private void normalise(JsonNode node, DatasetFormat rowFormat) {
        normalised.reset();
        try (JsonGenerator out = FACTORY.createGenerator(normalised)) {
            out.writeStartObject();
            switch (rowFormat) {
                case DATASET_FORMAT_TEXT -> out.writeStringField("text", node.get("text").textValue());
                case DATASET_FORMAT_PROMPT_COMPLETION -> {
                    out.writeStringField("prompt", node.get("prompt").textValue());
                    out.writeStringField("completion", node.get("completion").textValue());
                }
                default -> {
                    out.writeArrayFieldStart("messages");
                    for (Iterator<JsonNode> it = node.get("messages").elements(); it.hasNext(); ) {
                        JsonNode message = it.next();
                        out.writeStartObject();
                        out.writeStringField("role", message.get("role").textValue());
                        out.writeStringField("content", message.get("content").textValue());
                        if (message.has("weight")) {
                            out.writeNumberField("weight", message.get("weight").asInt());
                        }
                        out.writeEndObject();
                    }
                    out.writeEndArray();
                }
            }
            if (label != null) {
                out.writeStringField("label", label);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The normalised row's bytes, {@code [0, normalisedLength())}, without a line end. */
    public byte[] normalised() {
        return normalised.bytes();
    }

    public int normalisedLength() {
        return normalised.size();
    }

    /** Unicode code points of the row's text content (text, prompt + completion, or every message content). */
    public long characters() {
        return characters;
    }

    /** The row's label, or null. */
    public String label() {
        return label;
    }

    public static String name(DatasetFormat format) {
        return switch (format) {
            case DATASET_FORMAT_TEXT -> "text";
            case DATASET_FORMAT_PROMPT_COMPLETION -> "prompt/completion";
            case DATASET_FORMAT_CHAT_MESSAGES -> "chat messages";
            default -> "unknown";
        };
    }

    private static String requiredField(DatasetFormat format) {
        return switch (format) {
            case DATASET_FORMAT_TEXT -> "text";
            case DATASET_FORMAT_PROMPT_COMPLETION -> "prompt";
            default -> "messages";
        };
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    /** The problems of one row, counted so that the caller knows whether the row is valid. */
    private static final class RowProblems {
        final long line;
        final String input;
        final ProblemCollector problems;
        int count;

        RowProblems(long line, String input, ProblemCollector problems) {
            this.line = line;
            this.input = input;
            this.problems = problems;
        }

        void add(ProblemCode code, String message, String field) {
            count++;
            problems.error(new Problem(line, code, message, field, input));
        }
    }

    /** A byte buffer whose content can be read without copying. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1024);
        }

        byte[] bytes() {
            return buf;
        }
    }
}
