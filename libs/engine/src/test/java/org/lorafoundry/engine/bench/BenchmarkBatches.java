package org.lorafoundry.engine.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.TensorView;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * The pre-tokenized micro-batches both sides train on: {@code input_ids} and {@code labels}, I64
 * {@code [micro-batches, batch, length]}, no padding (so no attention mask: every position is a token).
 */
final class BenchmarkBatches {
    private BenchmarkBatches() {
    }

    static List<TrainingBatch> read(Path file) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            TensorView ids = reader.tensor("input_ids");
            TensorView labels = reader.tensor("labels");
            long[] shape = ids.shape();
            if (shape.length != 3 || !Arrays.equals(shape, labels.shape())) {
                throw new IOException(file + ": input_ids " + Arrays.toString(shape) + " and labels "
                        + Arrays.toString(labels.shape()) + " must both be [micro-batches, batch, length]");
            }
            long[] allIds = ids.toLongArray();
            long[] allLabels = labels.toLongArray();
            int batch = Math.toIntExact(shape[1]);
            int length = Math.toIntExact(shape[2]);
            int size = batch * length;
            List<TrainingBatch> out = new ArrayList<>();
            for (int i = 0; i < shape[0]; i++) {
                out.add(new TrainingBatch(Arrays.copyOfRange(allIds, i * size, (i + 1) * size), null,
                        Arrays.copyOfRange(allLabels, i * size, (i + 1) * size), batch, length));
            }
            return out;
        }
    }
}
