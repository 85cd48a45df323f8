package org.lorafoundry.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.Fixtures;

class ChatTemplateTest {
    static final List<Map<String, String>> CHAT = List.of(Map.of("role", "user", "content", "hi"),
            Map.of("role", "assistant", "content", "hello"));

    @Test
    void trimAndLstripBlocksAsTransformersConfiguresJinja() {
        ChatTemplate t = new ChatTemplate("""
                {% for m in messages %}
                    {% if m.role == 'user' %}
                U: {{ m.content }}
                    {% else %}
                A: {{ m['content'] }}{{ eos_token }}
                    {% endif %}
                {% endfor %}
                {% if add_generation_prompt %}A:{% endif %}""", Map.of("eos_token", "</s>"));
        assertThat(t.render(CHAT, true)).isEqualTo("U: hi\nA: hello</s>\nA:");
        assertThat(t.render(CHAT, false)).isEqualTo("U: hi\nA: hello</s>\n");
    }

    @Test
    void pythonJinjaFeaturesHfTemplatesUse() {
        ChatTemplate t = new ChatTemplate(
                "{%- set ns = namespace(n=0) -%}"
                        + "{%- for m in messages -%}{%- set ns.n = ns.n + 1 -%}"
                        + "{{- loop.index0 ~ ':' + m['role'] | upper + ('\\n' if not loop.last else '') -}}"
                        + "{%- endfor -%}"
                        + "{{- ' n=' ~ ns.n ~ ' ' ~ (messages | length) ~ ' ' ~ ('x' in ['x', 'y']) ~ ' '"
                        + " ~ ('z' not in ['x']) ~ ' ' ~ (tools is defined) ~ ' ' ~ {'a': 1} | tojson -}}",
                Map.of());
        assertThat(t.render(CHAT, false)).isEqualTo("0:USER\n1:ASSISTANT n=2 2 true true false {\"a\":1}");
    }

    @Test
    void raiseExceptionInsideTheTemplateBecomesAChatTemplateException() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{% if m.role not in ['user', 'assistant'] %}"
                + "{{ raise_exception('Unknown role: ' + m.role) }}{% endif %}{{ m.content }}{% endfor %}", Map.of());
        assertThat(t.render(CHAT, false)).isEqualTo("hihello");
        assertThatThrownBy(() -> t.render(List.of(Map.of("role", "tool", "content", "x")), false))
                .isInstanceOf(ChatTemplateException.class).hasMessage("Unknown role: tool");
    }

    @Test
    void brokenTemplatesFailLoudly() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ m.content }}", Map.of());
        assertThatThrownBy(() -> t.render(CHAT, false)).isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("chat template failed");
    }

    @Test
    void aTokenizerWithoutTemplateSaysSo(@TempDir Path dir) throws Exception {
        Files.copy(Fixtures.model("gpt2").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            assertThat(tok.chatTemplate()).isEmpty();
            assertThat(tok.config().eosToken()).isNull();
            assertThat(tok.encode("Hello, world!")).isNotEmpty();
            assertThatThrownBy(() -> tok.applyChatTemplate(CHAT, true)).isInstanceOf(ChatTemplateException.class)
                    .hasMessageContaining("no chat template");
        }
        assertThatThrownBy(() -> HfTokenizer.load(dir.resolve("nowhere"))).hasMessageContaining("no tokenizer.json");
    }

    @Test
    void specialTokensMayBeAddedTokenObjectsAndTemplatesMayBeNamedLists(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "chat_template": [{"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}"},
                                   {"name": "tool_use", "template": "tools"}]}""");
        TokenizerConfig c = TokenizerConfig.load(dir);
        assertThat(c.bosToken()).isEqualTo("<s>");
        assertThat(c.namedTemplates()).containsOnlyKeys("default", "tool_use");
        assertThat(new ChatTemplate(c.chatTemplate(), c.specialTokenVariables()).render(CHAT, false)).isEqualTo("<s>hi");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ eos_token }}");
        assertThat(TokenizerConfig.load(dir).chatTemplate()).as("chat_template.jinja wins").isEqualTo("{{ eos_token }}");
    }
}
