package org.lorafoundry.jobs.persistence;

import java.util.Map;

/**
 * What became of a trained job: the evaluation's verdict and metrics, and the registered adapter version (each null
 * until its event arrived).
 *
 * @param adapter {@code <team>/<name>} of the registered adapter
 */
public record JobResult(String verdict, String summary, Map<String, Double> candidateMetrics,
        Map<String, Double> baselineMetrics, String baseline, String adapter, Integer adapterVersion) {
}
