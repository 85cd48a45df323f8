package org.lorafoundry.datasets.service;

import java.util.List;

import org.lorafoundry.datasets.validation.ProblemCollector;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetStatistics;

/**
 * What the ingest pipeline made of its inputs: either a prepared dataset (splits in the work directory, statistics,
 * warnings) or a rejection (the problems).
 *
 * @param accepted              whether the dataset is acceptable
 * @param message               a one-line summary for a person
 * @param problems              errors and warnings (first N listed, all counted)
 * @param rowsRead              non-blank lines read from all inputs
 * @param sourceBytes           bytes read from the source
 * @param sourceSha256          SHA-256 of the source's bytes (empty when it was not read to the end)
 * @param format                the detected (or hinted) format
 * @param labelled              whether every row has a label
 * @param labelValues           distinct labels (at most the configured number)
 * @param splits                the prepared splits (train first); empty when rejected
 * @param statistics            statistics of the kept rows; default instance when rejected
 * @param contentSha256         identity of the normalised content (train and validation checksums); empty when rejected
 */
public record PipelineResult(boolean accepted, String message, ProblemCollector problems, long rowsRead,
        long sourceBytes, String sourceSha256, DatasetFormat format, boolean labelled, List<String> labelValues,
        List<PreparedSplit> splits, DatasetStatistics statistics, String contentSha256) {
}
