package org.lorafoundry.engine.cli;

import java.util.List;
import org.lorafoundry.engine.eval.GenerationConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How text is generated, with transformers' {@code GenerationConfig} names (dashes for underscores). */
final class GenerationOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "64",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "0 = greedy (argmax); above 0 the logits are divided by T and sampled "
                    + "(default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Nucleus sampling: keep the most probable tokens up to cumulative probability P "
                    + "(default: ${DEFAULT-VALUE} = off).")
    double topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Keep only the K most probable tokens (default: ${DEFAULT-VALUE} = off).")
    int topK;

    @Option(names = "--stop", paramLabel = "TEXT",
            description = "Stop when the generated text contains TEXT (repeatable); it is cut from the output. "
                    + "Escapes: \\n, \\t.")
    List<String> stop;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Sampling seed: the same seed, model and prompt give the same text (default: "
                    + "${DEFAULT-VALUE}).")
    long seed;

    /** The GenerationConfig these options give; invalid values are a usage error. */
    GenerationConfig toConfig() {
        List<String> stops = stop == null ? List.of() : stop.stream().map(GenerationOptions::unescape).toList();
        try {
            return GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature).topP(topP)
                    .topK(topK).stopSequences(stops).seed(seed).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid generation option: " + e.getMessage());
        }
    }

    /** A shell cannot easily pass a newline, the most common stop sequence: accept {@code \n} and {@code \t}. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                switch (next) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case '\\' -> out.append('\\');
                    default -> out.append(c).append(next);
                }
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
