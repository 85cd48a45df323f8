package org.lorafoundry.registry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.Verdict;

/** The alias rules as a table: who may point which alias at which verdict, with or without a reason. */
class AliasPolicyTest {

    private static final Verdict PASSED = Verdict.VERDICT_PASSED;
    private static final Verdict FAILED = Verdict.VERDICT_FAILED;

    @Test
    void membersMoveOrdinaryAliasesToPassedVersionsOnly() {
        assertThat(AliasPolicy.move(true, false, "staging", 3, PASSED, null).allowed()).isTrue();
        AliasPolicy.Decision refused = AliasPolicy.move(true, false, "staging", 4, FAILED, "I insist");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("VERDICT_NOT_PASSED");
        assertThat(refused.message()).contains("v4", "only a maintainer");
    }

    @Test
    void maintainersOverrideAFailedGateOnlyWithAReason() {
        AliasPolicy.Decision noReason = AliasPolicy.move(true, true, "staging", 4, FAILED, "  ");
        assertThat(noReason.allowed()).isFalse();
        assertThat(noReason.code()).isEqualTo("VERDICT_NOT_PASSED");
        assertThat(noReason.message()).contains("overrideReason");
        AliasPolicy.Decision withReason = AliasPolicy.move(true, true, "production", 4, FAILED, "hotfix, gate too strict");
        assertThat(withReason.allowed()).isTrue();
        assertThat(withReason.overridden()).isTrue();
        assertThat(AliasPolicy.move(true, true, "production", 4, PASSED, "not needed").overridden()).isFalse();
    }

    @Test
    void productionNeedsAMaintainerAndOutsidersChangeNothing() {
        AliasPolicy.Decision member = AliasPolicy.move(true, false, "production", 3, PASSED, null);
        assertThat(member.allowed()).isFalse();
        assertThat(member.status()).isEqualTo(403);
        assertThat(AliasPolicy.remove(true, false, "production").status()).isEqualTo(403);
        assertThat(AliasPolicy.remove(true, false, "staging").allowed()).isTrue();
        assertThat(AliasPolicy.move(false, false, "staging", 3, PASSED, null).status()).isEqualTo(403);
        assertThat(AliasPolicy.remove(false, false, "canary").status()).isEqualTo(403);
    }

    @Test
    void automaticPromotionNeverOverridesAndProductionOnlyForAllowedTeams() {
        assertThat(AliasPolicy.automatic("a", "staging", PASSED, List.of()).allowed()).isTrue();
        assertThat(AliasPolicy.automatic("a", "staging", FAILED, List.of("*")).code()).isEqualTo("VERDICT_NOT_PASSED");
        assertThat(AliasPolicy.automatic("a", "production", PASSED, List.of()).code())
                .isEqualTo("PRODUCTION_PROMOTION_NOT_ALLOWED");
        assertThat(AliasPolicy.automatic("a", "production", PASSED, List.of("b")).allowed()).isFalse();
        assertThat(AliasPolicy.automatic("a", "production", PASSED, List.of("b", "a")).allowed()).isTrue();
        assertThat(AliasPolicy.automatic("a", "production", PASSED, List.of("*")).allowed()).isTrue();
        assertThat(AliasPolicy.automatic("a", "V3", PASSED, List.of()).code()).isEqualTo("INVALID_ALIAS");
    }

    @Test
    void aliasNamesCannotLookLikeVersions() {
        assertThat(Names.isAlias("staging")).isTrue();
        assertThat(Names.isAlias("canary-eu.2")).isTrue();
        assertThat(Names.isAlias("v3")).isFalse();
        assertThat(Names.isAlias("3")).isFalse();
        assertThat(Names.isAlias("Prod")).isFalse();
        assertThat(Names.isAlias("")).isFalse();
    }
}
