package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.lorafoundry.engine.nn.Parameter;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;

/**
 * Writes a model in Hugging Face layout, loadable by {@code AutoModelForCausalLM.from_pretrained}: {@code config.json}
 * (the original one, {@code dtype} float32, and {@code tie_word_embeddings} false when the head no longer equals the
 * embedding), {@code model.safetensors} (F32, transformers' state-dict names, checkpoint layouts: {@code [out, in]}
 * for {@code nn.Linear}, {@code [in, out]} for GPT-2's Conv1D), and the tokenizer files of the source directory.
 */
public final class HfCheckpointWriter {
    /** Tokenizer and generation files copied beside the weights when present. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "chat_template.jinja", "chat_template.json", "vocab.json", "merges.txt",
            "tokenizer.model", "added_tokens.json", "generation_config.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfCheckpointWriter() {
    }

    /** The model as it is now (merged weights included). */
    public static void save(CausalLanguageModel model, Path outDir, Path tokenizerFrom) throws IOException {
        save(model, Parameter::value, Set.of(), outDir, tokenizerFrom);
    }

    /**
     * @param valueOf each parameter's value to write, in the parameter's own (forward) layout
     * @param changed state-dict names whose values differ from the parameter's current one (a tied head among them,
     *     or its embedding, unties the head)
     * @param tokenizerFrom directory whose tokenizer files are copied, or null
     */
    public static void save(CausalLanguageModel model, Function<Parameter, NDArray> valueOf, Set<String> changed,
            Path outDir, Path tokenizerFrom) throws IOException {
        Files.createDirectories(outDir);
        boolean untied = false;
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (Parameter p : model.modules().parameters().values()) {
            if (p.tiedTo() != null) {
                Parameter source = model.modules().parameter(p.tiedTo());
                boolean stillTied = p.isOriginal() && source.isOriginal() && !changed.contains(p.name())
                        && !changed.contains(source.name());
                if (stillTied) {
                    continue;
                }
                untied = true;
            }
            NDArray v = valueOf.apply(p);
            NDArray checkpoint = p.transposed() ? v.transpose() : v;
            try (NDArray flat = checkpoint.flatten()) {
                writer.put(p.name(), p.checkpointShape(), flat.toFloatArray());
            } finally {
                if (checkpoint != v) {
                    checkpoint.close();
                }
            }
        }
        writer.write(outDir.resolve("model.safetensors"));

        ObjectNode config = (ObjectNode) model.config().raw().deepCopy();
        config.put("dtype", "float32");
        if (config.has("torch_dtype")) {
            config.put("torch_dtype", "float32");
        }
        if (untied) {
            config.put("tie_word_embeddings", false);
        }
        Files.writeString(outDir.resolve(ModelConfig.FILE_NAME), JSON.writeValueAsString(config) + "\n");
        if (tokenizerFrom != null && !tokenizerFrom.toAbsolutePath().normalize()
                .equals(outDir.toAbsolutePath().normalize())) {
            for (String f : TOKENIZER_FILES) {
                Path src = tokenizerFrom.resolve(f);
                if (Files.isRegularFile(src)) {
                    Files.copy(src, outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
