package org.lorafoundry.evaluator.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one evaluation needs, local and verified.
 *
 * @param baseModelDirectory      Hugging Face model directory (config.json, tokenizer files, *.safetensors)
 * @param candidateAdapterDirectory PEFT adapter directory of the candidate (adapter_config.json,
 *                                adapter_model.safetensors)
 * @param baseline                what the candidate is compared with
 * @param evaluationData          the rows the task metrics and the validation loss are computed on
 * @param referenceData           general text of the forgetting check (reference perplexity with and without adapter)
 * @param metrics                 names ({@link MetricNames}) to compute; the engine may return more, never fewer of
 *                                those it can compute
 * @param settings                caps and generation settings
 * @param seed                    seed of example selection, hold-out and any sampling (the job's seed)
 */
public record EvaluationInputs(Path baseModelDirectory, Path candidateAdapterDirectory, BaselineModel baseline,
        EvaluationData evaluationData, ReferenceData referenceData, Set<String> metrics, EvaluationSettings settings,
        long seed) {

    public EvaluationInputs {
        Objects.requireNonNull(baseModelDirectory, "baseModelDirectory");
        Objects.requireNonNull(candidateAdapterDirectory, "candidateAdapterDirectory");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(evaluationData, "evaluationData");
        Objects.requireNonNull(referenceData, "referenceData");
        Objects.requireNonNull(settings, "settings");
        metrics = Set.copyOf(metrics);
    }
}
