package org.lorafoundry.engine.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.model.ModelConfig;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * The token ids that end a generation: the tokenizer's {@code eos_token} ({@code tokenizer_config.json}), plus
 * {@code generation_config.json}'s {@code eos_token_id} (an id or a list) when that file exists, else
 * {@code config.json}'s. The second part is what transformers' {@code generate} stops on (the model's generation
 * config, derived from {@code config.json} when there is no {@code generation_config.json}); the first is what chat
 * templates close a turn with (e.g. {@code <|eot_id|>}), which serving stacks such as vLLM stop on as well.
 *
 * @param ids in that order, without duplicates
 */
public record EosTokens(Set<Long> ids) {
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public EosTokens {
        ids = Collections.unmodifiableSet(new LinkedHashSet<>(ids));
    }

    /** Reads the EOS ids of a model directory (see the class comment). */
    public static EosTokens read(Path modelDir, HfTokenizer tokenizer, ModelConfig config) throws IOException {
        Set<Long> ids = new LinkedHashSet<>();
        String eos = tokenizer.config().eosToken();
        if (eos != null) {
            ids.add(ExampleEncoder.tokenId(tokenizer, eos));
        }
        Path file = modelDir.resolve(GENERATION_CONFIG_FILE);
        if (Files.isRegularFile(file)) {
            ids.addAll(generationConfigEos(file));
        } else {
            ids.addAll(config.eosTokenIds());
        }
        return new EosTokens(ids);
    }

    private static List<Long> generationConfigEos(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode eos = root == null ? null : root.get("eos_token_id");
        if (eos == null || eos.isNull()) {
            return List.of();
        }
        if (eos.canConvertToLong() && eos.isIntegralNumber()) {
            return List.of(eos.asLong());
        }
        if (eos.isArray()) {
            List<Long> out = new ArrayList<>();
            for (JsonNode n : eos) {
                if (!n.isIntegralNumber()) {
                    throw new IOException(file + ": eos_token_id must be an integer or a list of integers, got " + eos);
                }
                out.add(n.asLong());
            }
            return out;
        }
        throw new IOException(file + ": eos_token_id must be an integer or a list of integers, got " + eos);
    }

    public boolean contains(long id) {
        return ids.contains(id);
    }
}
