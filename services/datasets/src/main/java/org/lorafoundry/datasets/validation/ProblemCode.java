package org.lorafoundry.datasets.validation;

import java.util.Optional;

import org.lorafoundry.proto.v1.DatasetProblemCode;

/**
 * The typed codes of dataset problems. Errors reject a dataset and are published in {@code DatasetRejected} with the
 * proto's {@link DatasetProblemCode}; warnings never reject and are kept in the service's ingest report only.
 * {@link #LONG_EXAMPLE} and {@link #TOKENS_NOT_COUNTED} are warnings of this service with no proto value.
 */
public enum ProblemCode {
    NOT_JSON,
    MISSING_FIELD,
    WRONG_TYPE,
    EMPTY_CONTENT,
    UNKNOWN_ROLE,
    NO_ASSISTANT_TURN,
    MIXED_FORMATS,
    /** As a warning: one duplicate row, removed. As an error: the duplicate fraction exceeds the limit. */
    DUPLICATE_ROWS,
    TOO_FEW_EXAMPLES,
    FILE_TOO_LARGE,
    BAD_ENCODING,
    SOURCE_UNREADABLE,
    CHECKSUM_MISMATCH,
    LINE_TOO_LONG,
    BAD_ROLE_ORDER,
    UNKNOWN_FORMAT,
    UNKNOWN_BASE_MODEL,
    INVALID_COMMAND,
    /** Warning: an example longer than {@code foundry.datasets.warn-example-characters}. */
    LONG_EXAMPLE,
    /** Warning: a base model was named but token statistics need the engine's tokenizer (not available yet). */
    TOKENS_NOT_COUNTED;

    /** The proto code, for the codes the contract defines. */
    public Optional<DatasetProblemCode> proto() {
        try {
            return Optional.of(DatasetProblemCode.valueOf("DATASET_PROBLEM_CODE_" + name()));
        } catch (IllegalArgumentException notInContract) {
            return Optional.empty();
        }
    }
}
