package org.lorafoundry.evaluator.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

import org.lorafoundry.proto.v1.DatasetFormat;

/**
 * The evaluation rows: a normalised JSONL file of the datasets service.
 *
 * @param jsonl           one JSON object per line in {@code format}; may carry a string {@code label}
 * @param format          TEXT ({@code text}), PROMPT_COMPLETION ({@code prompt}, {@code completion}) or CHAT_MESSAGES
 *                        ({@code messages}; the last assistant turn is the reference of generation metrics)
 * @param labelValues     the dataset's label values when its rows are labelled (accuracy); empty otherwise
 * @param holdOutFraction when present, the file is the training split and only the rows training held out count:
 *                        this fraction, chosen with the job's seed exactly as the engine's training pipeline does
 */
public record EvaluationData(Path jsonl, DatasetFormat format, List<String> labelValues, OptionalDouble holdOutFraction) {

    public EvaluationData {
        Objects.requireNonNull(jsonl, "jsonl");
        Objects.requireNonNull(format, "format");
        labelValues = List.copyOf(labelValues);
        Objects.requireNonNull(holdOutFraction, "holdOutFraction");
    }
}
