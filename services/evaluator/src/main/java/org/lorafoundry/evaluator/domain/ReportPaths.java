package org.lorafoundry.evaluator.domain;

import java.util.regex.Pattern;

/**
 * Where an evaluation's report lives in the blob store: {@code evaluations/{job}/{attempt}/report.json} and
 * {@code report.html}. Job ids ({@code [A-Za-z0-9._-]}) may start with '.', '-' or '_', which blob path segments may
 * not: such an id is written with a '_' in front, while ids starting with a letter or digit (and attempt UUIDs) are
 * kept as they are, so distinct ids never share a report.
 */
public final class ReportPaths {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private ReportPaths() {
    }

    public static String json(String jobId, String attemptId) {
        return directory(jobId, attemptId) + "report.json";
    }

    public static String html(String jobId, String attemptId) {
        return directory(jobId, attemptId) + "report.html";
    }

    static String directory(String jobId, String attemptId) {
        return "evaluations/" + segment(jobId) + "/" + segment(attemptId) + "/";
    }

    static String segment(String id) {
        if (id.isEmpty()) {
            return "_";
        }
        String safe = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return PLAIN.matcher(safe).matches() ? safe : "_" + safe;
    }
}
