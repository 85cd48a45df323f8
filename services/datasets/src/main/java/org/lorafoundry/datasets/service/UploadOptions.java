package org.lorafoundry.datasets.service;

import org.lorafoundry.proto.v1.DatasetFormat;

/**
 * Options of a REST upload (query parameters); null = the service default.
 *
 * @param validationFraction fraction held out as validation when no validation file is given, [0, 0.5]
 * @param seed               split seed
 * @param format             expected format, or null to detect
 * @param baseModel          base model whose tokenizer should count tokens
 * @param sourceSha256       expected SHA-256 of the uploaded source
 * @param description        free text shown in listings
 */
public record UploadOptions(Double validationFraction, Long seed, DatasetFormat format, String baseModel,
        String sourceSha256, String description) {
}
