package org.lorafoundry.datasets.service;

/**
 * The limits and defaults of an ingest (from {@link DatasetsConfig}; plain values so the pipeline runs without CDI).
 *
 * @param maxFileSizeBytes           largest source (and validation file) accepted; larger is FILE_TOO_LARGE
 * @param maxLineLengthBytes         longest row accepted; longer is LINE_TOO_LONG
 * @param minExamples                fewest training rows after cleaning; fewer is TOO_FEW_EXAMPLES
 * @param minValidationExamples      fewest validation rows when a validation split is asked for
 * @param maxProblemsListed          problems listed in full (errors and warnings each); the rest are counted
 * @param maxDuplicateFraction       duplicate rows above this fraction of the rows read is DUPLICATE_ROWS (rejection)
 * @param defaultValidationFraction  fraction held out when the request does not say
 * @param defaultSeed                split seed when the request does not say
 * @param warnExampleCharacters      rows with more characters than this get a LONG_EXAMPLE warning
 * @param maxLabelValues             distinct label values listed in DatasetIngested
 * @param dedupPartitionRows         rows per in-memory partition of duplicate detection (memory ~40 bytes per row)
 */
public record IngestSettings(long maxFileSizeBytes, int maxLineLengthBytes, int minExamples, int minValidationExamples,
        int maxProblemsListed, double maxDuplicateFraction, double defaultValidationFraction, long defaultSeed,
        int warnExampleCharacters, int maxLabelValues, int dedupPartitionRows) {

    public static final double MAX_VALIDATION_FRACTION = 0.5;

    /** The service's defaults (the same as {@link DatasetsConfig}'s). */
    public static IngestSettings defaults() {
        return new IngestSettings(1L << 30, 1 << 20, 10, 1, 100, 0.5, 0.1, 42, 32_768, 1000, 1 << 19);
    }

    public IngestSettings withMaxFileSize(long bytes) {
        return new IngestSettings(bytes, maxLineLengthBytes, minExamples, minValidationExamples, maxProblemsListed,
                maxDuplicateFraction, defaultValidationFraction, defaultSeed, warnExampleCharacters, maxLabelValues,
                dedupPartitionRows);
    }

    public IngestSettings withMaxLineLength(int bytes) {
        return new IngestSettings(maxFileSizeBytes, bytes, minExamples, minValidationExamples, maxProblemsListed,
                maxDuplicateFraction, defaultValidationFraction, defaultSeed, warnExampleCharacters, maxLabelValues,
                dedupPartitionRows);
    }

    public IngestSettings withMinExamples(int rows) {
        return new IngestSettings(maxFileSizeBytes, maxLineLengthBytes, rows, minValidationExamples, maxProblemsListed,
                maxDuplicateFraction, defaultValidationFraction, defaultSeed, warnExampleCharacters, maxLabelValues,
                dedupPartitionRows);
    }

    public IngestSettings withMaxProblemsListed(int count) {
        return new IngestSettings(maxFileSizeBytes, maxLineLengthBytes, minExamples, minValidationExamples, count,
                maxDuplicateFraction, defaultValidationFraction, defaultSeed, warnExampleCharacters, maxLabelValues,
                dedupPartitionRows);
    }

    public IngestSettings withDedupPartitionRows(int rows) {
        return new IngestSettings(maxFileSizeBytes, maxLineLengthBytes, minExamples, minValidationExamples,
                maxProblemsListed, maxDuplicateFraction, defaultValidationFraction, defaultSeed, warnExampleCharacters,
                maxLabelValues, rows);
    }

    public IngestSettings withWarnExampleCharacters(int characters) {
        return new IngestSettings(maxFileSizeBytes, maxLineLengthBytes, minExamples, minValidationExamples,
                maxProblemsListed, maxDuplicateFraction, defaultValidationFraction, defaultSeed, characters,
                maxLabelValues, dedupPartitionRows);
    }
}
