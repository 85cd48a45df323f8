package org.lorafoundry.datasets.service;

import org.lorafoundry.proto.v1.DatasetFormat;

/**
 * What to ingest, with every default resolved.
 *
 * @param source               the JSONL rows
 * @param validation           a separate validation file, or null (then {@code validationFraction} of the source is held out)
 * @param validationFraction   fraction of source rows held out as validation, [0, 0.5]; ignored with a validation file
 * @param seed                 seed of the split
 * @param formatHint           expected format, or UNSPECIFIED to detect
 * @param expectedSourceSha256 the source's expected SHA-256 (lower-case hex), or empty
 * @param baseModel            base model whose tokenizer should count tokens, or empty
 */
public record IngestRequest(DatasetInput source, DatasetInput validation, double validationFraction, long seed,
        DatasetFormat formatHint, String expectedSourceSha256, String baseModel) {

    public IngestRequest {
        formatHint = formatHint == null ? DatasetFormat.DATASET_FORMAT_UNSPECIFIED : formatHint;
        expectedSourceSha256 = expectedSourceSha256 == null ? "" : expectedSourceSha256;
        baseModel = baseModel == null ? "" : baseModel;
    }
}
