package org.lorafoundry.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.TestTokens;

class TokenClaimsTest {

    @Test
    void readsSubjectTeamsRolesAndExpiry() {
        TokenClaims claims = TokenClaims.of(TestTokens.unsigned(
                "{\"iss\":\"lora-foundry\",\"sub\":\"alice\",\"groups\":[\"member\",\"maintainer\"],"
                        + "\"teams\":[\"demo\"],\"exp\":1900000000}"));

        assertThat(claims.subject()).isEqualTo("alice");
        assertThat(claims.teams()).containsExactly("demo");
        assertThat(claims.roles()).containsExactly("member", "maintainer");
        assertThat(claims.expiresAt()).isEqualTo(Instant.ofEpochSecond(1_900_000_000));
        assertThat(claims.onlyTeam()).isEqualTo("demo");
        assertThat(claims.expiredAt(Instant.ofEpochSecond(1_900_000_000))).isTrue();
        assertThat(claims.expiredAt(Instant.ofEpochSecond(1_899_999_999))).isFalse();
    }

    @Test
    void somethingThatIsNotAJwtIsAUsageError() {
        assertThatThrownBy(() -> TokenClaims.of("hunter2")).isInstanceOf(CliException.class)
                .hasMessageContaining("three dot-separated parts");
        assertThatThrownBy(() -> TokenClaims.of("a.!!!.c")).isInstanceOf(CliException.class)
                .hasMessageContaining("not base64url JSON");
    }
}
