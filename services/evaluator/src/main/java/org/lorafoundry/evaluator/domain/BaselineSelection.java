package org.lorafoundry.evaluator.domain;

import java.util.Optional;

import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.proto.v1.AliasTarget;
import org.lorafoundry.proto.v1.Baseline;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.BaselineMode;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.ResolvedBaseModel;

/**
 * The baseline of an evaluation by the policy's BaselineMode (spec.proto):
 * <ul>
 *   <li>PRODUCTION_OR_BASE_MODEL (the default): the version of the same adapter name holding the baseline alias, else
 *       the base model;</li>
 *   <li>PRODUCTION_ADAPTER: that version, else no baseline (change thresholds are skipped: "first version");</li>
 *   <li>BASE_MODEL: always the base model without adapter.</li>
 * </ul>
 * The baseline alias is {@code baseline_alias}, by default {@value #DEFAULT_ALIAS}. An aliased version trained on another
 * base model (checksum) cannot be compared on this one: that is refused (BASELINE_UNAVAILABLE), not silently replaced.
 */
public final class BaselineSelection {

    public static final String DEFAULT_ALIAS = "production";

    private BaselineSelection() {
    }

    public static String alias(GatePolicy policy) {
        String alias = policy.getBaselineAlias().strip();
        return alias.isEmpty() ? DEFAULT_ALIAS : alias;
    }

    /**
     * @param aliased the version of {@code team/adapterName} holding {@link #alias(GatePolicy)}, from the registry replica
     * @throws EvaluationException BASELINE_UNAVAILABLE when the aliased version belongs to another base model
     */
    public static BaselinePlan select(GatePolicy policy, String team, String adapterName, ResolvedBaseModel baseModel,
            Optional<AliasTarget> aliased) throws EvaluationException {
        BaselineMode mode = policy.getBaselineMode();
        String alias = alias(policy);
        Baseline.Builder base = Baseline.newBuilder().setBaseModelName(baseModel.getName())
                .setBaseModelSha256(baseModel.getSha256());
        if (mode == BaselineMode.BASELINE_MODE_BASE_MODEL) {
            return baseModel(base, baseModel);
        }
        if (aliased.isPresent()) {
            AliasTarget target = aliased.get();
            String ref = team + "/" + adapterName + " v" + target.getVersion() + " (" + alias + ")";
            if (!target.getBaseModelSha256().isEmpty() && !target.getBaseModelSha256().equals(baseModel.getSha256())) {
                throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_BASELINE_UNAVAILABLE,
                        "the baseline " + ref + " was trained on base model " + target.getBaseModelName() + " (sha256 "
                                + target.getBaseModelSha256() + ") but this job on " + baseModel.getName() + " (sha256 "
                                + baseModel.getSha256() + "), so they cannot be compared; set gate_policy.baseline_mode "
                                + "to BASELINE_MODE_BASE_MODEL, or choose another baseline_alias");
            }
            Baseline baseline = base.setKind(BaselineKind.BASELINE_KIND_PRODUCTION_ADAPTER).setAdapterName(adapterName)
                    .setAdapterVersion(target.getVersion()).setAlias(alias).setDescription(ref).build();
            return new BaselinePlan(baseline, Optional.of(target.getArtifact()));
        }
        if (mode == BaselineMode.BASELINE_MODE_PRODUCTION_ADAPTER) {
            Baseline none = base.setKind(BaselineKind.BASELINE_KIND_NONE).setAlias(alias)
                    .setDescription("none: no version of " + team + "/" + adapterName + " holds '" + alias
                            + "' (first version)")
                    .build();
            return new BaselinePlan(none, Optional.empty());
        }
        return baseModel(base, baseModel); // PRODUCTION_OR_BASE_MODEL (or unspecified) without an aliased version
    }

    private static BaselinePlan baseModel(Baseline.Builder base, ResolvedBaseModel baseModel) {
        return new BaselinePlan(base.setKind(BaselineKind.BASELINE_KIND_BASE_MODEL)
                .setDescription("base model " + baseModel.getName()).build(), Optional.empty());
    }
}
