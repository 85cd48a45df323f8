package org.lorafoundry.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.lorafoundry.engine.eval.EosTokens;
import org.lorafoundry.engine.model.ModelConfig;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.engine.tokenizer.TokenizerConfig;

/**
 * A model directory's tokenizer as {@code inspect} shows it: {@code tokenizer.json}'s model type and size (what
 * transformers' {@code len(tokenizer)} counts: the vocabulary plus added tokens outside it), the special tokens of
 * {@code tokenizer_config.json}, whether there is a chat template, and the ids generation stops on.
 *
 * @param type the tokenization model ({@code BPE}, {@code Unigram}, {@code WordPiece}, ...)
 * @param size distinct token ids
 * @param addedTokens entries of {@code added_tokens} (special tokens and others)
 * @param eosTokenIds what {@code generate} stops on ({@link EosTokens})
 */
record TokenizerSummary(String type, int size, int addedTokens, String bosToken, String eosToken, String padToken,
        String unkToken, boolean chatTemplate, List<Long> eosTokenIds) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerSummary read(Path modelDir, ModelConfig config) throws IOException {
        JsonNode root = JSON.readTree(Files.readString(modelDir.resolve(HfTokenizer.FILE_NAME)));
        JsonNode model = root.path("model");
        Set<Long> ids = new HashSet<>();
        JsonNode vocab = model.path("vocab");
        if (vocab.isObject()) {
            vocab.elements().forEachRemaining(id -> ids.add(id.asLong()));
        } else if (vocab.isArray()) {
            for (long i = 0; i < vocab.size(); i++) {
                ids.add(i);
            }
        }
        JsonNode added = root.path("added_tokens");
        added.forEach(t -> ids.add(t.path("id").asLong()));
        TokenizerConfig tc = TokenizerConfig.load(modelDir);
        List<Long> eos;
        try (HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            eos = List.copyOf(EosTokens.read(modelDir, tokenizer, config).ids());
        }
        return new TokenizerSummary(model.path("type").asText("unknown"), ids.size(), added.size(), tc.bosToken(),
                tc.eosToken(), tc.padToken(), tc.unkToken(), tc.chatTemplate() != null, eos);
    }
}
