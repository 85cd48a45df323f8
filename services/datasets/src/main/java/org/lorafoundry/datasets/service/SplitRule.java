package org.lorafoundry.datasets.service;

import org.lorafoundry.datasets.validation.RowHash;

/**
 * Which kept row goes to the validation split. With a separate validation file: its rows. Otherwise a row is held out
 * when {@link RowHash#splitValue} of (seed, row) is below the fraction: deterministic for the same content and seed,
 * independent of row order and of memory.
 *
 * @param sourceRows         rows of the source (the validation file's rows follow them)
 * @param separateValidation whether a validation file was given
 * @param fraction           fraction of source rows held out (when no validation file)
 * @param seed               the split seed
 */
record SplitRule(long sourceRows, boolean separateValidation, double fraction, long seed) {

    boolean isValidation(long row, long h1, long h2) {
        if (separateValidation) {
            return row >= sourceRows;
        }
        return fraction > 0 && RowHash.splitValue(seed, h1, h2) < fraction;
    }

    boolean wantsValidation() {
        return separateValidation || fraction > 0;
    }
}
