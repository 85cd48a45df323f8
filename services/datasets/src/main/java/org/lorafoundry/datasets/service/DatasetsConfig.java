package org.lorafoundry.datasets.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code foundry.datasets.*}: limits and defaults of dataset ingestion. Every key can be overridden by its environment
 * variable ({@code foundry.datasets.max-file-size} = {@code FOUNDRY_DATASETS_MAX_FILE_SIZE}).
 */
@ConfigMapping(prefix = "foundry.datasets")
public interface DatasetsConfig {

    /** Largest source file (and validation file); sizes like {@code 1G}, {@code 500M}. */
    @WithDefault("1G")
    MemorySize maxFileSize();

    /** Longest row (bytes). */
    @WithDefault("1M")
    MemorySize maxLineLength();

    /** Fewest training rows after cleaning. */
    @WithDefault("10")
    int minExamples();

    /** Fewest validation rows when a validation split is asked for. */
    @WithDefault("1")
    int minValidationExamples();

    /** How many errors (and warnings) a report lists in full; the rest are counted per code. */
    @WithDefault("100")
    int maxProblemsListed();

    /** Above this fraction of duplicate rows the dataset is rejected (DUPLICATE_ROWS); below, duplicates are removed. */
    @WithDefault("0.5")
    double maxDuplicateFraction();

    /** Validation fraction when a request gives neither a fraction nor a validation file. */
    @WithDefault("0.1")
    double validationFraction();

    /** Split seed when a request gives none. */
    @WithDefault("42")
    long seed();

    /** Rows with more characters than this get a LONG_EXAMPLE warning (a stand-in for the base model's context). */
    @WithDefault("32768")
    int warnExampleCharacters();

    /** Distinct label values listed in DatasetIngested (the contract allows 1000). */
    @WithDefault("1000")
    int maxLabelValues();

    /** Rows per in-memory partition of the duplicate detection (~40 bytes of heap per row). */
    @WithDefault("524288")
    int dedupPartitionRows();

    /** Directories whose files an IngestDataset command may name ({@code file://}); anything else is refused. */
    List<Path> importRoots();

    /** Where ingests keep their temporary files (default: a directory under java.io.tmpdir). */
    Optional<Path> workDir();

    default IngestSettings settings() {
        return new IngestSettings(maxFileSize().asLongValue(), (int) Math.min(Integer.MAX_VALUE - 16,
                maxLineLength().asLongValue()), minExamples(), minValidationExamples(), maxProblemsListed(),
                maxDuplicateFraction(), validationFraction(), seed(), warnExampleCharacters(), maxLabelValues(),
                dedupPartitionRows());
    }
}
