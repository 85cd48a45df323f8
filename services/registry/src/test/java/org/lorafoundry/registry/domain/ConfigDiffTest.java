package org.lorafoundry.registry.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;


import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

class ConfigDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void differencesAreDottedPathsAndPlainListsCompareAsAWhole() throws Exception {
        List<ConfigDiff.Entry> diff = ConfigDiff.diff(
                JSON.readTree("{\"lora\": {\"r\": 8, \"targetModules\": [\"q_proj\", \"v_proj\"], \"loraAlpha\": 16},"
                        + " \"gate\": {\"thresholds\": [{\"metric\": \"accuracy\", \"min\": 0.8}]}}"),
                JSON.readTree("{\"lora\": {\"r\": 16, \"targetModules\": [\"q_proj\", \"v_proj\"], \"useRslora\": true},"
                        + " \"gate\": {\"thresholds\": [{\"metric\": \"accuracy\", \"min\": 0.9}]}}"));
        assertThat(diff).extracting(ConfigDiff.Entry::path)
                .containsExactly("gate.thresholds[0].min", "lora.loraAlpha", "lora.r", "lora.useRslora");
        assertThat(diff.get(1).b()).isNull();
        assertThat(diff.get(3).a()).isNull();
        assertThat(diff.get(2).a().asInt()).isEqualTo(8);
        assertThat(diff.get(2).b().asInt()).isEqualTo(16);
    }
}
