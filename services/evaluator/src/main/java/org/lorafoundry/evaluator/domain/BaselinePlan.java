package org.lorafoundry.evaluator.domain;

import java.util.Objects;
import java.util.Optional;

import org.lorafoundry.proto.v1.Baseline;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.DirectoryRef;

/**
 * The baseline an evaluation compares with, chosen once (at its first run) so that every event of the evaluation
 * names the same one.
 *
 * @param baseline as EvaluationStarted / EvaluationCompleted carry it
 * @param artifact the baseline adapter's PEFT directory; present iff the kind is PRODUCTION_ADAPTER
 */
public record BaselinePlan(Baseline baseline, Optional<DirectoryRef> artifact) {

    public BaselinePlan {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(artifact, "artifact");
        if (artifact.isPresent() != (baseline.getKind() == BaselineKind.BASELINE_KIND_PRODUCTION_ADAPTER)) {
            throw new IllegalArgumentException("an adapter baseline needs its artifact, and only it has one");
        }
    }

    public boolean exists() {
        return baseline.getKind() != BaselineKind.BASELINE_KIND_NONE;
    }
}
