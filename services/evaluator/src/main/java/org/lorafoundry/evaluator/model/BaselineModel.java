package org.lorafoundry.evaluator.model;

import java.nio.file.Path;
import java.util.Objects;

/** What the candidate is compared with. */
public sealed interface BaselineModel {

    /** No baseline ("first version"): baseline metrics are not computed. */
    record None() implements BaselineModel {
    }

    /** The base model without any adapter. */
    record BaseModel() implements BaselineModel {
    }

    /** Another adapter of the same base model (the version holding the baseline alias), as a PEFT directory. */
    record Adapter(Path directory) implements BaselineModel {
        public Adapter {
            Objects.requireNonNull(directory, "directory");
        }
    }
}
