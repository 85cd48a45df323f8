package org.lorafoundry.engine.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.ShardedSafetensors;
import org.lorafoundry.engine.safetensors.TensorSource;
import org.lorafoundry.engine.safetensors.TensorView;

/**
 * The tensors of a safetensors file (or of a model directory's weights, sharded or not): name, dtype, shape and
 * element count, with the header's metadata. Only headers are read.
 *
 * @param source the file, or the sharded index
 * @param metadata {@code __metadata__} (or the index's {@code metadata})
 * @param parameters elements of every tensor together
 * @param bytes bytes of every tensor together
 */
record TensorTable(String source, Map<String, String> metadata, List<Tensor> tensors, long parameters, long bytes) {

    /** One tensor's header entry. */
    record Tensor(String name, String dtype, long[] shape, long numel) {
    }

    static TensorTable of(TensorSource source) {
        List<Tensor> tensors = source.names().stream().map(source::tensor)
                .map(TensorTable::tensor).toList();
        long bytes = source.names().stream().map(source::tensor).mapToLong(t -> t.info().byteLength()).sum();
        return new TensorTable(source.location().toString(), source.metadata(), tensors,
                tensors.stream().mapToLong(Tensor::numel).sum(), bytes);
    }

    static TensorTable read(Path file) throws IOException {
        try (TensorSource source = file.getFileName().toString().endsWith(".json")
                ? ShardedSafetensors.open(file)
                : SafetensorsReader.open(file)) {
            return of(source);
        }
    }

    private static Tensor tensor(TensorView view) {
        return new Tensor(view.name(), view.dtype().headerName(), view.shape(), view.numel());
    }

    String render() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s: %,d tensors, %,d parameters, %s%n", source, tensors.size(),
                parameters, TextTable.byteSize(bytes)));
        metadata.forEach((k, v) -> s.append("metadata ").append(k).append(": ").append(v).append('\n'));
        TextTable table = TextTable.of("TENSOR", "DTYPE", "SHAPE", "PARAMETERS");
        for (Tensor t : tensors) {
            table.row(t.name(), t.dtype(), Arrays.toString(t.shape()), String.format(Locale.ROOT, "%,d", t.numel()));
        }
        return s.append(table.render()).toString();
    }
}
