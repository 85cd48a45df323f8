package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lorafoundry.engine.nn.ForwardContext;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.LinearAdapter;

/**
 * The {@link LinearAdapter} attached to one projection: every adapter's weights for it, by adapter name; a pass adds
 * the delta of the adapter its {@link ForwardContext} names (nothing when that adapter does not target this module or
 * is merged into the weight).
 */
final class LoraLayer implements LinearAdapter {
    private final Linear linear;
    private final Map<String, LoraWeights> adapters = new ConcurrentHashMap<>();

    LoraLayer(Linear linear) {
        this.linear = linear;
    }

    @Override
    public NDArray delta(NDArray input, ForwardContext context) {
        String name = context.adapter();
        if (name == null) {
            return null;
        }
        LoraWeights w = adapters.get(name);
        if (w == null || w.owner().isMerged()) {
            return null;
        }
        return w.delta(input, context.training());
    }

    void put(String adapter, LoraWeights weights) {
        adapters.put(adapter, weights);
    }

    void remove(String adapter) {
        adapters.remove(adapter);
    }

    boolean isEmpty() {
        return adapters.isEmpty();
    }

    Linear linear() {
        return linear;
    }
}
