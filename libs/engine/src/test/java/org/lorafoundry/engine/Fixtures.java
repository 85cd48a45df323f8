package org.lorafoundry.engine;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed fixtures written by {@code scripts/make_fixtures.py} (src/test/resources/fixtures). */
public final class Fixtures {
    /** One directory per case; {@code llama-tied} is sharded, F16, tied, MQA with explicit head_dim; qwen2 is BF16. */
    public static final List<String> MODELS = List.of("gpt2", "llama", "llama-tied", "qwen2");

    /** Python floats include Infinity/NaN. */
    public static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {
    }

    public static Path root() {
        URL url = Fixtures.class.getResource("/fixtures");
        if (url == null) {
            throw new IllegalStateException("fixtures missing from the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path model(String name) {
        return root().resolve(name);
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode reference(Path modelDir) {
        return json(modelDir.resolve("reference.json"));
    }

    public static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
