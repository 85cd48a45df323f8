package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.safetensors.TensorSource;

/** Takes tensors out of a checkpoint for a model under construction, checking shapes and tracking what was used. */
final class Weights {
    private final TensorSource source;
    private final NDManager manager;
    private final boolean mapFrozen;
    private final String prefix;
    private final Set<String> used = new LinkedHashSet<>();
    private long parameters;

    /**
     * @param prefix prepended to every key asked for (e.g. "" when a GPT-2 checkpoint lacks "transformer.")
     */
    Weights(TensorSource source, NDManager manager, boolean mapFrozen, String prefix) {
        this.source = source;
        this.manager = manager;
        this.mapFrozen = mapFrozen;
        this.prefix = prefix;
    }

    String key(String name) {
        return prefix + name;
    }

    boolean has(String name) {
        return source.contains(key(name));
    }

    /** The tensor as F32, checked against {@code shape}. */
    NDArray get(String name, long... shape) {
        String key = key(name);
        if (!source.contains(key)) {
            throw new ModelConfigException("checkpoint " + source.location() + " has no tensor '" + key + "'");
        }
        var view = source.tensor(key);
        if (!Arrays.equals(view.shape(), shape)) {
            throw new ModelConfigException("tensor '" + key + "' in " + source.location() + " has shape "
                    + Arrays.toString(view.shape()) + ", config.json implies " + Arrays.toString(shape));
        }
        if (!view.dtype().isConvertibleToFloat()) {
            throw new ModelConfigException("tensor '" + key + "' is " + view.dtype() + "; weights must be F32, F16,"
                    + " BF16 or F64 (quantized checkpoints are not supported)");
        }
        used.add(key);
        parameters += view.numel();
        return mapFrozen ? view.mapNDArray(manager) : view.toNDArray(manager);
    }

    /** torch.nn.Linear ({@code [out, in]} on disk), transposed once to {@code [in, out]}. */
    Linear linear(String module, int in, int out, boolean bias) {
        NDArray w = get(module + ".weight", out, in).transpose();
        NDArray b = bias ? get(module + ".bias", out) : null;
        return new Linear(module, key(module + ".weight"), bias ? key(module + ".bias") : null, w, b,
                Linear.CheckpointLayout.OUT_IN, null);
    }

    /** GPT-2 Conv1D ({@code [in, out]} on disk), used as is. The module name keeps transformers' full path. */
    Linear conv1d(String module, String hfName, int in, int out) {
        NDArray w = get(module + ".weight", in, out);
        NDArray b = get(module + ".bias", out);
        return new Linear(hfName, key(module + ".weight"), key(module + ".bias"), w, b, Linear.CheckpointLayout.IN_OUT,
                null);
    }

    long parameters() {
        return parameters;
    }

    /** Checkpoint tensors nobody asked for (minus known buffers). */
    Set<String> unused(java.util.function.Predicate<String> ignorable) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : source.names()) {
            if (!used.contains(n) && !ignorable.test(n)) {
                out.add(n);
            }
        }
        return out;
    }
}
