package org.lorafoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceRefTest {

    @Test
    void teamAndVersionAreOptional() {
        assertThat(ResourceRef.parse("demo/sentiment@v3", "x")).isEqualTo(new ResourceRef("demo", "sentiment", "v3"));
        assertThat(ResourceRef.parse("sentiment@production", "x"))
                .isEqualTo(new ResourceRef(null, "sentiment", "production"));
        assertThat(ResourceRef.parse("demo/sentiment", "x")).isEqualTo(new ResourceRef("demo", "sentiment", null));
        assertThat(ResourceRef.parse("sentiment", "x").teamOr("nlp")).isEqualTo("nlp");
    }

    @Test
    void versionNumbersAreReadWithOrWithoutV() {
        assertThat(ResourceRef.parse("a@3", "x").versionNumber()).isEqualTo(3);
        assertThat(ResourceRef.parse("a@v12", "x").versionNumber()).isEqualTo(12);
        assertThat(ResourceRef.parse("a@staging", "x").versionNumber()).isNull();
        assertThat(ResourceRef.parse("a", "x").versionNumber()).isNull();
    }

    @Test
    void anythingElseIsAUsageErrorShowingTheForm() {
        assertThatThrownBy(() -> ResourceRef.parse("a/b/c", "an adapter")).isInstanceOf(CliException.class)
                .hasMessageContaining("does not name an adapter").hasMessageContaining("[team/]name[@version]");
        assertThatThrownBy(() -> ResourceRef.parse("a@", "a dataset")).isInstanceOf(CliException.class);
    }
}
