package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDArray;
import java.util.Random;
import org.lorafoundry.engine.nn.Parameter;

/** Test helpers on adapters. */
final class LoraTesting {
    private LoraTesting() {
    }

    /**
     * Adds {@code scale * N(0, 1)} (seeded) to everything the adapter trains: lora_A, lora_B and the copied base
     * parameters, as a stand-in for training (a fresh adapter's B is zero and its copies equal the base).
     */
    static void perturb(LoraAdapter adapter, long seed, double scale) {
        Random rng = new Random(seed);
        for (Parameter p : adapter.trainableParameters()) {
            NDArray v = p.value();
            float[] noise = new float[Math.toIntExact(v.size())];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) (scale * rng.nextGaussian());
            }
            NDArray n = adapter.manager().create(noise, v.getShape());
            NDArray next = v.add(n);
            next.attach(adapter.manager());
            n.close();
            p.set(next);
        }
    }
}
