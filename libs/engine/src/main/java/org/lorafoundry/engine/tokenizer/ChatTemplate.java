package org.lorafoundry.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Hugging Face chat template (Jinja) rendered with Jinjava, configured like transformers' environment:
 * {@code trim_blocks} and {@code lstrip_blocks} on, Python operator precedence and whitespace control, and the globals
 * transformers provides ({@code raise_exception}, {@code strftime_now}). Variables: {@code messages},
 * {@code add_generation_prompt}, the special tokens ({@code bos_token}, {@code eos_token}, ...), plus anything passed in.
 *
 * <p>Jinjava is not Python: templates that call Python string methods ({@code .strip()}, {@code .split()}) or rely on
 * Python's rendering of {@code None} may differ; a render error is raised, never swallowed.
 */
public final class ChatTemplate {
    private static final Jinjava JINJAVA = newJinjava();

    private final String source;
    private final Map<String, Object> specialTokens;

    public ChatTemplate(String source, Map<String, Object> specialTokens) {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("empty chat template");
        }
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
    }

    private static Jinjava newJinjava() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
        return jinjava;
    }

    /** The template's own error, raised by {@code raise_exception('...')} inside it. */
    public static String raiseException(String message) {
        throw new ChatTemplateException(message);
    }

    /** transformers' {@code strftime_now(format)} for the common directives. */
    public static String strftimeNow(String format) {
        String pattern = format.replace("%Y", "yyyy").replace("%m", "MM").replace("%d", "dd").replace("%H", "HH")
                .replace("%M", "mm").replace("%S", "ss").replace("%B", "MMMM").replace("%b", "MMM")
                .replace("%A", "EEEE").replace("%a", "EEE");
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern(pattern));
    }

    /** Renders {@code messages} (each a map with at least {@code role} and {@code content}). */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        return render(vars);
    }

    /** Renders with arbitrary variables ({@code messages}, {@code add_generation_prompt}, {@code tools}, ...). */
    public String render(Map<String, ?> variables) {
        Map<String, Object> bindings = new LinkedHashMap<>(specialTokens);
        bindings.putAll(variables);
        bindings.putIfAbsent("add_generation_prompt", false);
        RenderResult result;
        try {
            result = JINJAVA.renderForResult(source, bindings);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template failed: " + e.getMessage(), e);
        }
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            for (TemplateError e : fatal) {
                Throwable cause = e.getException();
                while (cause != null && !(cause instanceof ChatTemplateException)) {
                    cause = cause.getCause();
                }
                if (cause != null) {
                    throw (ChatTemplateException) cause;
                }
            }
            throw new ChatTemplateException("chat template failed: " + fatal.stream()
                    .map(e -> (e.getLineno() > 0 ? "line " + e.getLineno() + ": " : "") + e.getMessage())
                    .collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    public String source() {
        return source;
    }
}
