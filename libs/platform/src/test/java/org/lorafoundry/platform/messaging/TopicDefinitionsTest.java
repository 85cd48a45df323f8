package org.lorafoundry.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class TopicDefinitionsTest {

    @Test
    void parsesTopicsGroupsAndComments() throws Exception {
        TopicDefinitions definitions = TopicDefinitions.parse(new StringReader("""
                # comment
                topic a.b  partitions=3 cleanup.policy=compact

                topic c.{team} partitions=2
                group g1 share.auto.offset.reset=earliest
                """), "test");

        assertThat(definitions.topics()).containsExactly(
                new TopicDefinition("a.b", 3, java.util.Map.of("cleanup.policy", "compact")),
                new TopicDefinition("c.{team}", 2, java.util.Map.of()));
        assertThat(definitions.groups()).containsExactly(
                new GroupDefinition("g1", java.util.Map.of("share.auto.offset.reset", "earliest")));
        assertThat(definitions.expand(List.of("red", "blue"))).extracting(TopicDefinition::name)
                .containsExactly("a.b", "c.red", "c.blue");
    }

    @Test
    void reportsTheLineOfASyntaxError() {
        assertThatThrownBy(() -> TopicDefinitions.parse(new StringReader("topic ok partitions=1\ntopic bad\n"), "f.conf"))
                .hasMessage("f.conf:2: topic bad needs partitions=<n>");
        assertThatThrownBy(() -> TopicDefinitions.parse(new StringReader("queue x partitions=1"), "f.conf"))
                .hasMessageContaining("f.conf:1: unknown entry 'queue'");
        assertThatThrownBy(() -> TopicDefinitions.parse(new StringReader("topic x partitions=0"), "f.conf"))
                .hasMessageContaining("f.conf:1:");
    }

    @Test
    void refusesTeamNamesThatAreNotTopicSegments() {
        TopicDefinition perTeam = new TopicDefinition("c.{team}", 1, java.util.Map.of());
        assertThatThrownBy(() -> perTeam.forTeam("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> perTeam.forTeam("Team A")).isInstanceOf(IllegalArgumentException.class);
    }

    /** The definition file that ships (infra/topics.conf) defines every topic the code names, and nothing else. */
    @Test
    void shippedDefinitionsMatchTheTopicConstants() throws Exception {
        TopicDefinitions shipped = TopicDefinitions.fromClasspath();
        Set<String> defined = shipped.expand(List.of("demo")).stream().map(TopicDefinition::name).collect(Collectors.toSet());

        Set<String> named = new java.util.HashSet<>();
        for (Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                String value = (String) field.get(null);
                if (value.startsWith("foundry.")) {
                    named.add(value.endsWith(".") ? value + "demo" : value);
                }
            }
        }
        assertThat(defined).containsExactlyInAnyOrderElementsOf(named);
        assertThat(shipped.groups()).extracting(GroupDefinition::groupId).contains(Topics.TRAINER_SHARE_GROUP);
    }

    @Test
    void teamComesFromTheCommandTopicName() {
        assertThat(Topics.teamOf(Topics.JOB_COMMANDS_PREFIX, "foundry.jobs.commands.nlp-team")).contains("nlp-team");
        assertThat(Topics.teamOf(Topics.JOB_COMMANDS_PREFIX, "foundry.jobs.events")).isEmpty();
        assertThat(Topics.teamOf(Topics.JOB_COMMANDS_PREFIX, "foundry.jobs.commands.Bad_Team")).isEmpty();
        assertThat(Topics.jobCommands("vision")).isEqualTo("foundry.jobs.commands.vision");
        assertThatThrownBy(() -> Topics.jobCommands("a.b")).isInstanceOf(IllegalArgumentException.class);
    }
}
