package org.lorafoundry.evaluator.report;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.evaluator.domain.ReportPaths;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.proto.v1.EvaluationCompleted;

/**
 * Stores an evaluation's report in the blob store: the HTML page first, then the JSON report that points at it, under
 * {@code evaluations/{job}/{attempt}/}. Writes are atomic (the blob store renames complete files into place); a later
 * run of the same evaluation replaces them.
 */
@ApplicationScoped
public class ReportWriter {

    private final BlobStore blobs;

    ReportWriter(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** @return the JSON report, as EvaluationCompleted.report references it */
    public org.lorafoundry.proto.v1.BlobRef write(ReportContent content) throws IOException {
        EvaluationCompleted completed = content.completed();
        BlobRef html = blobs.put(ReportPaths.html(completed.getJobId(), completed.getAttemptId()),
                new ByteArrayInputStream(HtmlReport.render(content)));
        BlobRef json = blobs.put(ReportPaths.json(completed.getJobId(), completed.getAttemptId()),
                new ByteArrayInputStream(JsonReport.render(content, html)));
        return org.lorafoundry.proto.v1.BlobRef.newBuilder().setUri(json.uri().toString()).setSha256(json.sha256())
                .setSizeBytes(json.sizeBytes()).setMediaType(JsonReport.MEDIA_TYPE).build();
    }
}
