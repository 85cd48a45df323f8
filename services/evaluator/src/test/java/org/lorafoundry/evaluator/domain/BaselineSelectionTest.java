package org.lorafoundry.evaluator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.proto.v1.AliasTarget;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.BaselineMode;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.ResolvedBaseModel;

class BaselineSelectionTest {

    private static final ResolvedBaseModel BASE = ResolvedBaseModel.newBuilder().setName("tiny").setSha256("aa").build();
    private static final AliasTarget PRODUCTION_V3 = AliasTarget.newBuilder().setAlias("production").setVersion(3)
            .setBaseModelName("tiny").setBaseModelSha256("aa")
            .setArtifact(DirectoryRef.newBuilder().setUri("file:///blobs/adapters/t/qa/3/")).build();

    @Test
    void byDefaultTheProductionVersionWhenThereIsOne() throws Exception {
        BaselinePlan plan = select(GatePolicy.getDefaultInstance(), Optional.of(PRODUCTION_V3));
        assertThat(plan.baseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_PRODUCTION_ADAPTER);
        assertThat(plan.baseline().getAdapterVersion()).isEqualTo(3);
        assertThat(plan.baseline().getAlias()).isEqualTo("production");
        assertThat(plan.baseline().getDescription()).isEqualTo("t/qa v3 (production)");
        assertThat(plan.artifact()).contains(PRODUCTION_V3.getArtifact());
        assertThat(plan.exists()).isTrue();
    }

    @Test
    void byDefaultTheBaseModelWhenNoVersionHoldsTheAlias() throws Exception {
        BaselinePlan plan = select(GatePolicy.getDefaultInstance(), Optional.empty());
        assertThat(plan.baseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_BASE_MODEL);
        assertThat(plan.baseline().getBaseModelName()).isEqualTo("tiny");
        assertThat(plan.baseline().getDescription()).isEqualTo("base model tiny");
        assertThat(plan.artifact()).isEmpty();
    }

    @Test
    void productionAdapterModeHasNoBaselineForAFirstVersion() throws Exception {
        GatePolicy policy = mode(BaselineMode.BASELINE_MODE_PRODUCTION_ADAPTER);
        BaselinePlan none = select(policy, Optional.empty());
        assertThat(none.baseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_NONE);
        assertThat(none.exists()).isFalse();
        assertThat(none.baseline().getDescription()).contains("first version");
        assertThat(select(policy, Optional.of(PRODUCTION_V3)).baseline().getKind())
                .isEqualTo(BaselineKind.BASELINE_KIND_PRODUCTION_ADAPTER);
    }

    @Test
    void baseModelModeIgnoresTheProductionVersion() throws Exception {
        assertThat(select(mode(BaselineMode.BASELINE_MODE_BASE_MODEL), Optional.of(PRODUCTION_V3)).baseline().getKind())
                .isEqualTo(BaselineKind.BASELINE_KIND_BASE_MODEL);
    }

    @Test
    void theBaselineAliasIsConfigurable() {
        assertThat(BaselineSelection.alias(GatePolicy.newBuilder().setBaselineAlias(" staging ").build()))
                .isEqualTo("staging");
        assertThat(BaselineSelection.alias(GatePolicy.getDefaultInstance())).isEqualTo("production");
    }

    @Test
    void aVersionOfAnotherBaseModelIsRefused() {
        AliasTarget otherBase = PRODUCTION_V3.toBuilder().setBaseModelName("big").setBaseModelSha256("bb").build();
        assertThatThrownBy(() -> select(GatePolicy.getDefaultInstance(), Optional.of(otherBase)))
                .isInstanceOfSatisfying(EvaluationException.class, e -> {
                    assertThat(e.code()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_BASELINE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("big").contains("BASELINE_MODE_BASE_MODEL");
                });
    }

    private static GatePolicy mode(BaselineMode mode) {
        return GatePolicy.newBuilder().setBaselineMode(mode).build();
    }

    private static BaselinePlan select(GatePolicy policy, Optional<AliasTarget> aliased) throws EvaluationException {
        return BaselineSelection.select(policy, "t", "qa", BASE, aliased);
    }
}
