package org.lorafoundry.evaluator.service;

import java.nio.file.Path;
import java.util.Objects;

import org.lorafoundry.evaluator.model.BaselineModel;
import org.lorafoundry.evaluator.model.EvaluationData;
import org.lorafoundry.evaluator.model.ReferenceData;

/** An evaluation's inputs on local disk, every byte verified against the checksums the events carried. */
public record StagedInputs(Path baseModel, Path candidateAdapter, BaselineModel baseline, EvaluationData evaluationData,
        ReferenceData referenceData) {

    public StagedInputs {
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(candidateAdapter, "candidateAdapter");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(evaluationData, "evaluationData");
        Objects.requireNonNull(referenceData, "referenceData");
    }
}
