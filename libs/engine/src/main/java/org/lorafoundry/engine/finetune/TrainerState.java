package org.lorafoundry.engine.finetune;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lorafoundry.engine.data.BatchIterator;

/**
 * A checkpoint's {@code trainer_state.json}: where the run stands besides the adapter and optimizer files. The
 * learning-rate schedule has no state of its own (the rate is a function of {@code step} and the settings); the RNG
 * neither ({@code rng}: every random draw derives from the seed, see {@link FineTuneRun}).
 *
 * @param formatVersion {@link #FORMAT_VERSION}; other versions are refused
 * @param step optimizer steps done
 * @param totalSteps steps the run is planned for
 * @param epoch epochs done, fractional (informational)
 * @param dataPosition where the next training micro-batch starts
 * @param referencePosition where the next reference batch starts, or null without reference data
 * @param tokensSeen input tokens trained on
 * @param trainSeconds wall time spent training up to here, over every attempt
 * @param rng the seed and how draws derive from it
 * @param settings what must not change on resume (spec fields, data checksums), as strings
 * @param lossCurve every step so far
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TrainerState(int formatVersion, int step, int totalSteps, double epoch, BatchIterator.Position dataPosition,
        BatchIterator.Position referencePosition, long tokensSeen, double trainSeconds, Rng rng,
        Map<String, String> settings, List<Point> lossCurve) {

    static final int FORMAT_VERSION = 1;
    static final String FILE_NAME = "trainer_state.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    TrainerState {
        settings = new TreeMap<>(settings);
        lossCurve = List.copyOf(lossCurve);
    }

    /**
     * @param seed the run's seed
     * @param scheme how draws derive from it (a name; a checkpoint of another scheme is refused)
     */
    record Rng(long seed, String scheme) {
    }

    /** A loss-curve point; {@code validationLoss} null when none was measured at that step. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Point(int step, double loss, Double validationLoss) {
    }

    void write(Path directory) throws IOException {
        Files.writeString(directory.resolve(FILE_NAME), JSON.writeValueAsString(this));
    }

    static TrainerState read(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + FILE_NAME + " in " + directory + ": not a checkpoint of this engine");
        }
        TrainerState s;
        try {
            s = JSON.readValue(file.toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new IOException(file + " is not a valid trainer state: " + e.getMessage(), e);
        }
        if (s.formatVersion() != FORMAT_VERSION) {
            throw new IOException(file + " has format_version " + s.formatVersion() + "; this engine reads "
                    + FORMAT_VERSION);
        }
        return s;
    }
}
