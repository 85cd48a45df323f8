package org.lorafoundry.datasets.rest;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.lorafoundry.datasets.persistence.DatasetSummary;
import org.lorafoundry.datasets.persistence.Page;
import org.lorafoundry.datasets.persistence.VersionRecord;
import org.lorafoundry.datasets.service.IngestReport;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.DatasetStatistics;
import org.lorafoundry.proto.v1.HistogramBucket;
import org.lorafoundry.proto.v1.LengthHistogram;

/** The JSON shapes of the REST API. */
public final class Views {

    private Views() {
    }

    /** Format names of the API: {@code text}, {@code prompt_completion}, {@code chat_messages}. */
    public static String formatName(DatasetFormat format) {
        return format.name().substring("DATASET_FORMAT_".length()).toLowerCase(Locale.ROOT);
    }

    @Schema(name = "DatasetVersion", description = "An immutable dataset version team/name@vN")
    public record VersionView(String datasetId, String ref, String team, String name, int version, String format,
            boolean hasLabels, List<String> labelValues, List<SplitView> splits, StatisticsView statistics,
            String sourceUri, String sourceSha256, String validationSourceUri, String description,
            Map<String, String> tags, String ingestId, String createdBy, Instant createdAt) {

        public static VersionView of(VersionRecord record) {
            DatasetIngested ingested = record.ingested();
            return new VersionView(record.datasetId(), record.ref(), record.team(), record.name(), record.version(),
                    formatName(ingested.getFormat()), ingested.getHasLabels(), ingested.getLabelValuesList(),
                    ingested.getSplitsList().stream().map(SplitView::of).toList(),
                    StatisticsView.of(ingested.getStatistics()), ingested.getSourceUri(), ingested.getSourceSha256(),
                    ingested.getValidationSourceUri(), ingested.getDescription(), ingested.getTagsMap(),
                    record.ingestId(), record.createdBy(), record.createdAt());
        }
    }

    @Schema(name = "DatasetSplit", description = "A stored split: normalised JSONL in the blob store")
    public record SplitView(String name, String uri, String sha256, long sizeBytes, long rows) {

        static SplitView of(DatasetSplit split) {
            return new SplitView(split.getName(), split.getBlob().getUri(), split.getBlob().getSha256(),
                    split.getBlob().getSizeBytes(), split.getRowCount());
        }
    }

    @Schema(name = "DatasetStatistics", description = "Statistics of the kept rows (all splits). tokens is 0 and "
            + "tokenizer empty until the engine's tokenizer is available")
    public record StatisticsView(long rows, long rowsRead, long duplicatesRemoved, long characters, long tokens,
            String tokenizer, HistogramView lengthHistogram) {

        static StatisticsView of(DatasetStatistics statistics) {
            return new StatisticsView(statistics.getRows(), statistics.getRowsRead(), statistics.getDuplicatesRemoved(),
                    statistics.getCharacters(), statistics.getTokens(), statistics.getTokenizer(),
                    HistogramView.of(statistics.getLengthHistogram()));
        }
    }

    @Schema(name = "LengthHistogram")
    public record HistogramView(String unit, long min, long max, double mean, long p50, long p95,
            List<BucketView> buckets) {

        static HistogramView of(LengthHistogram histogram) {
            return new HistogramView(histogram.getUnit(), histogram.getMin(), histogram.getMax(), histogram.getMean(),
                    histogram.getP50(), histogram.getP95(), histogram.getBucketsList().stream().map(BucketView::of).toList());
        }
    }

    @Schema(name = "HistogramBucket", description = "Rows with lowerInclusive <= length < upperExclusive (null: no bound)")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record BucketView(long lowerInclusive, Long upperExclusive, long count) {

        static BucketView of(HistogramBucket bucket) {
            return new BucketView(bucket.getLowerInclusive(), bucket.hasUpperExclusive() ? bucket.getUpperExclusive() : null,
                    bucket.getCount());
        }
    }

    @Schema(name = "DatasetSummary", description = "A dataset with its latest version")
    public record SummaryView(String team, String name, int latestVersion, String latestRef, String format, long rows,
            Instant createdAt, Instant updatedAt) {

        static SummaryView of(DatasetSummary summary) {
            VersionRecord latest = summary.latest();
            return new SummaryView(summary.team(), summary.name(), summary.latestVersion(), latest.ref(),
                    formatName(latest.ingested().getFormat()), latest.ingested().getStatistics().getRows(),
                    summary.createdAt(), summary.updatedAt());
        }
    }

    @Schema(name = "VersionSummary")
    public record VersionSummaryView(int version, String ref, String datasetId, String format, long rows,
            Instant createdAt) {

        static VersionSummaryView of(VersionRecord record) {
            return new VersionSummaryView(record.version(), record.ref(), record.datasetId(),
                    formatName(record.ingested().getFormat()), record.ingested().getStatistics().getRows(),
                    record.createdAt());
        }
    }

    @Schema(name = "Dataset", description = "A dataset: its latest version and the newest versions")
    public record DatasetView(String team, String name, VersionView latest, long versionCount,
            List<VersionSummaryView> versions) {
    }

    @Schema(name = "Page", description = "One page of a listing (page is 0-based)")
    public record PageView<T>(List<T> items, int page, int size, long total, int totalPages) {

        static <T, R> PageView<R> of(Page<T> page, java.util.function.Function<T, R> mapper) {
            return new PageView<>(page.items().stream().map(mapper).toList(), page.page(), page.size(), page.total(),
                    (int) ((page.total() + page.size() - 1) / page.size()));
        }
    }

    @Schema(name = "IngestResult", description = "The answer to an upload: outcome created (201), existing (200, "
            + "identical content) or rejected (422/413, see Error)")
    public record IngestView(String ingestId, String outcome, String message, VersionView dataset, IngestReport report) {
    }
}
