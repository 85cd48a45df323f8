package org.lorafoundry.jobs.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.jobs.persistence.ReplicaRepository;
import org.lorafoundry.jobs.persistence.TeamRepository;
import org.lorafoundry.proto.v1.DatasetRef;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.LoraConfig;
import org.lorafoundry.proto.v1.ModelConfigSummary;
import org.lorafoundry.proto.v1.RejectionCode;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;

/**
 * Checks a job against the facts other services announced (local replicas) and the team's quotas, and resolves what the
 * submitter left open: the dataset version (latest READY), the base model's checksum and location. The result is the
 * spec that runs, or every reason it cannot.
 */
@ApplicationScoped
public class JobReferences {

    private final TeamRepository teams;
    private final ReplicaRepository replicas;
    private final JobRepository jobs;

    JobReferences(TeamRepository teams, ReplicaRepository replicas, JobRepository jobs) {
        this.teams = teams;
        this.replicas = replicas;
        this.jobs = jobs;
    }

    /** Resolution of a spec: the spec to run, or the validation result refusing it. */
    public record Resolution(JobSpec spec, ValidationResult refusal) {

        public boolean refused() {
            return refusal != null;
        }
    }

    public Resolution resolve(Connection tx, String team, JobSpec spec) throws SQLException {
        Violations violations = new Violations();
        Optional<TeamQuota> quota = teams.find(tx, team);
        if (quota.isEmpty()) {
            violations.add(RejectionCode.REJECTION_CODE_UNKNOWN_TEAM, "team", "NOT_FOUND",
                    "team '" + team + "' is not known to the platform; ask an admin to create it");
            return new Resolution(null, violations.result());
        }
        if (!quota.get().allowedPriorities().contains(spec.getPriority())) {
            violations.add(RejectionCode.REJECTION_CODE_PRIORITY_NOT_ALLOWED, "spec.priority", "NOT_ALLOWED",
                    "team " + team + " may use " + quota.get().allowedPriorities() + ", not " + spec.getPriority());
        }
        int queued = jobs.countByTeam(tx, List.of(JobState.JOB_STATE_QUEUED)).getOrDefault(team, 0);
        if (queued >= quota.get().maxQueued()) {
            violations.add(RejectionCode.REJECTION_CODE_QUOTA_EXCEEDED, "team", "QUOTA_EXCEEDED",
                    "team " + team + " already has " + queued + " queued jobs (quota " + quota.get().maxQueued()
                            + "); wait for some to start or cancel one");
        }
        JobSpec.Builder resolved = spec.toBuilder();
        resolveDataset(tx, team, spec.getDataset(), "spec.dataset", violations)
                .ifPresent(dataset -> resolved.getDatasetBuilder().setDatasetId(dataset.getDatasetId())
                        .setName(dataset.getName()).setVersion(dataset.getVersion()));
        // Optional datasets: the forgetting reference, the evaluation set and the evaluation's reference set.
        resolveOptional(tx, team, spec.getHyperparameters().getForgetting().getReferenceDataset(),
                "spec.hyperparameters.forgetting.reference_dataset", violations,
                resolved.getHyperparametersBuilder().getForgettingBuilder().getReferenceDatasetBuilder());
        resolveOptional(tx, team, spec.getEvaluation().getEvalDataset(), "spec.evaluation.eval_dataset", violations,
                resolved.getEvaluationBuilder().getEvalDatasetBuilder());
        resolveOptional(tx, team, spec.getEvaluation().getReferenceDataset(), "spec.evaluation.reference_dataset",
                violations, resolved.getEvaluationBuilder().getReferenceDatasetBuilder());
        Optional<ResolvedBaseModel> model = replicas.baseModel(tx, spec.getBaseModel().getName());
        if (model.isEmpty()) {
            violations.add(RejectionCode.REJECTION_CODE_UNKNOWN_BASE_MODEL, "spec.base_model.name", "NOT_FOUND",
                    "no base model '" + spec.getBaseModel().getName() + "' is registered (see the registry's base models)");
        } else if (!spec.getBaseModel().getSha256().isEmpty() && !spec.getBaseModel().getSha256().equals(model.get().getSha256())) {
            violations.add(RejectionCode.REJECTION_CODE_UNKNOWN_BASE_MODEL, "spec.base_model.sha256", "CONFLICT",
                    "base model " + model.get().getName() + " is registered with checksum " + model.get().getSha256()
                            + ", not " + spec.getBaseModel().getSha256());
        } else {
            resolved.getBaseModelBuilder().setSha256(model.get().getSha256()).setLocationUri(model.get().getLocationUri());
            checkLoraAgainstArchitecture(spec.getLora(), model.get(), violations);
        }
        ValidationResult result = violations.result();
        return result.valid() ? new Resolution(resolved.build(), null) : new Resolution(null, result);
    }

    private void resolveOptional(Connection tx, String team, DatasetRef ref, String field, Violations violations,
            DatasetRef.Builder target) throws SQLException {
        if (ref.getName().isEmpty() && ref.getDatasetId().isEmpty()) {
            return;
        }
        resolveDataset(tx, team, ref, field, violations).ifPresent(dataset -> target.setDatasetId(dataset.getDatasetId())
                .setName(dataset.getName()).setVersion(dataset.getVersion()));
    }

    private Optional<ResolvedDataset> resolveDataset(Connection tx, String team, DatasetRef ref, String field,
            Violations violations) throws SQLException {
        Optional<ResolvedDataset> found = !ref.getDatasetId().isEmpty()
                ? replicas.datasetById(tx, team, ref.getDatasetId())
                : replicas.dataset(tx, team, ref.getName(), ref.hasVersion() ? ref.getVersion() : null);
        if (found.isEmpty()) {
            String what = !ref.getDatasetId().isEmpty() ? "id " + ref.getDatasetId()
                    : "'" + ref.getName() + "'" + (ref.hasVersion() ? " version " + ref.getVersion() : "");
            Optional<String> rejection = ref.getName().isEmpty() ? Optional.empty()
                    : replicas.datasetRejection(tx, team, ref.getName());
            if (rejection.isPresent()) {
                violations.add(RejectionCode.REJECTION_CODE_DATASET_NOT_READY, field, "NOT_READY",
                        "dataset " + what + " has no ready version; its last ingest was rejected: " + rejection.get());
            } else {
                violations.add(RejectionCode.REJECTION_CODE_UNKNOWN_DATASET, field, "NOT_FOUND",
                        "team " + team + " has no ingested dataset " + what);
            }
        }
        return found;
    }

    /** PEFT's special target: every linear layer except the output head (in either field, any case). */
    static final String ALL_LINEAR = "all-linear";

    /** PEFT's matching: a target module is a full module name or its last dotted segments; a regex must full-match. */
    static void checkLoraAgainstArchitecture(LoraConfig lora, ResolvedBaseModel model, Violations violations) {
        ModelConfigSummary config = model.getConfig();
        List<String> modules = config.getLinearModuleNamesList();
        RejectionCode code = RejectionCode.REJECTION_CODE_INVALID_LORA_CONFIG;
        if (!modules.isEmpty()) {
            for (String target : lora.getTargetModulesList()) {
                if (target.equalsIgnoreCase(ALL_LINEAR)) {
                    continue;
                }
                boolean matches = modules.stream().anyMatch(name -> name.equals(target) || name.endsWith("." + target));
                if (!matches) {
                    violations.add(code, "spec.lora.target_modules", "NOT_FOUND", "'" + target + "' names no linear "
                            + "module of " + model.getName() + " (" + config.getModelType() + "); e.g. "
                            + modules.stream().map(name -> name.substring(name.lastIndexOf('.') + 1)).distinct().limit(8).toList());
                }
            }
            if (!lora.getTargetModulesRegex().isEmpty() && !lora.getTargetModulesRegex().equalsIgnoreCase(ALL_LINEAR)) {
                try {
                    Pattern pattern = Pattern.compile(lora.getTargetModulesRegex());
                    if (modules.stream().noneMatch(name -> pattern.matcher(name).matches())) {
                        violations.add(code, "spec.lora.target_modules_regex", "NOT_FOUND",
                                "the regex matches no linear module of " + model.getName());
                    }
                } catch (PatternSyntaxException e) {
                    violations.add(code, "spec.lora.target_modules_regex", "INVALID", "not a regex: " + e.getDescription());
                }
            }
        }
        int layers = config.getNumHiddenLayers();
        if (layers > 0) {
            for (int layer : lora.getLayersToTransformList()) {
                if (layer >= layers) {
                    violations.add(code, "spec.lora.layers_to_transform", "OUT_OF_RANGE",
                            "layer " + layer + " does not exist: " + model.getName() + " has layers 0.." + (layers - 1));
                }
            }
        }
    }
}
