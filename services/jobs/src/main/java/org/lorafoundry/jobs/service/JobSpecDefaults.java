package org.lorafoundry.jobs.service;

import org.lorafoundry.proto.v1.DatasetRef;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.PriorityClass;

/**
 * Fills what a submitter may leave out, so the stored spec says exactly what runs. The engine's training defaults
 * (learning rate, schedule, rank) are filled once the engine exists; until then the trainer applies PEFT's.
 */
public final class JobSpecDefaults {

    public JobSpec apply(JobSpec spec) {
        JobSpec.Builder normalised = spec.toBuilder();
        if (spec.getPriority() == PriorityClass.PRIORITY_CLASS_UNSPECIFIED) {
            normalised.setPriority(PriorityClass.PRIORITY_CLASS_NORMAL);
        }
        if (spec.getAdapterName().isEmpty()) {
            normalised.setAdapterName(adapterNameFrom(spec.getDisplayName().isBlank() ? spec.getJobId() : spec.getDisplayName()));
        }
        DatasetRef.Builder dataset = normalised.getDatasetBuilder();
        if (dataset.getTrainSplit().isEmpty()) {
            dataset.setTrainSplit("train");
        }
        if (dataset.getValidationSplit().isEmpty() && !dataset.hasValidationFraction()) {
            dataset.setValidationSplit("validation");
        }
        return normalised.build();
    }

    /** A registry-safe name: lower case, runs of other characters as '-', at most 64. */
    static String adapterNameFrom(String text) {
        String name = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        if (name.isEmpty()) {
            name = "adapter";
        }
        return name.length() > 64 ? name.substring(0, 64) : name;
    }
}
