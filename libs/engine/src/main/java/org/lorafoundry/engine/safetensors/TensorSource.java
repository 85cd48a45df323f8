package org.lorafoundry.engine.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors from one safetensors file or a sharded checkpoint. Views stay valid after {@link #close()} only for
 * regions already mapped; read what you need, then close.
 */
public interface TensorSource extends AutoCloseable {

    /** Single-file checkpoint name written by {@code save_pretrained}. */
    String SINGLE_FILE = "model.safetensors";
    /** Index of a sharded checkpoint written by {@code save_pretrained}. */
    String SHARDED_INDEX = "model.safetensors.index.json";

    /** Tensor names, in a stable order. */
    Set<String> names();

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** The tensor with this name; {@link IllegalArgumentException} naming the checkpoint when absent. */
    TensorView tensor(String name);

    /** {@code __metadata__} of a single file, or {@code metadata} of a sharded index (values as strings). */
    Map<String, String> metadata();

    /** Where the tensors come from (a file or an index), for messages. */
    Path location();

    @Override
    void close() throws IOException;

    /**
     * Opens the weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed in
     * {@code model.safetensors.index.json}.
     */
    static TensorSource openModelDirectory(Path dir) throws IOException {
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(SHARDED_INDEX);
        if (Files.isRegularFile(single)) {
            return SafetensorsReader.open(single);
        }
        if (Files.isRegularFile(index)) {
            return ShardedSafetensors.open(index);
        }
        String hint = Files.isRegularFile(dir.resolve("pytorch_model.bin"))
                ? " (found pytorch_model.bin: pickled PyTorch checkpoints are not read; re-save the model with"
                        + " save_pretrained(..., safe_serialization=True))"
                : "";
        throw new SafetensorsFormatException("no " + SINGLE_FILE + " or " + SHARDED_INDEX + " in " + dir + hint);
    }
}
