package org.lorafoundry.engine.tokenizer;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.Parity;

/** Token ids, decoding and chat templates of the committed fixtures equal transformers' AutoTokenizer. */
class TokenizerParityTest {
    static final List<String> MODELS = Fixtures.MODELS;

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void idsDecodingAndChatTemplateMatchTransformers(String name) throws Exception {
        Parity.tokenizer(Fixtures.model(name));
    }
}
