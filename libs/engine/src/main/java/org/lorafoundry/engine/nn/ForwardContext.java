package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * What one forward pass runs with besides the base weights: which adapter (if any), whether it trains, and which
 * parameters the adapter replaces ({@code bias="all"}, {@code modules_to_save}). Passed down explicitly through every
 * module, so concurrent passes on one model can use different adapters; there is no global "active adapter".
 */
public interface ForwardContext {

    /** The base model alone. */
    ForwardContext BASE = new ForwardContext() {
        @Override
        public String toString() {
            return "base";
        }
    };

    /** Name of the adapter this pass runs with, or null for the base model. */
    default String adapter() {
        return null;
    }

    /** A training pass (dropout active). */
    default boolean training() {
        return false;
    }

    /** The value of {@code p} for this pass: the adapter's replacement if it carries one, else the parameter's own. */
    default NDArray value(Parameter p) {
        return p.value();
    }
}
