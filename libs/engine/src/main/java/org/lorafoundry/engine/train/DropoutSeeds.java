package org.lorafoundry.engine.train;

import org.lorafoundry.engine.EngineRuntime;

/**
 * Where {@code lora_dropout}'s masks come from: torch's default generator (what its dropout kernel draws from; DJL
 * exposes no generator objects), re-seeded before every training pass with a seed derived from (run seed, optimizer
 * step, micro-batch). Every mask is then a pure function of those three, so a run resumed at step k draws exactly the
 * masks the uninterrupted run drew, and nothing about the generator needs to be saved in a checkpoint.
 *
 * <p>The generator is global to the JVM: another thread drawing from torch's default generator while a training pass
 * runs would change that pass's masks (nothing in the engine does).
 */
final class DropoutSeeds {
    /** The micro-batch index of a step's reference (forgetting-term) pass. */
    static final int REFERENCE_PASS = -1;

    private DropoutSeeds() {
    }

    /** Seeds torch's default generator for one training pass. */
    static void seedPass(long runSeed, int step, int microBatch) {
        EngineRuntime.engine().setRandomSeed(derive(runSeed, step, microBatch));
    }

    /** SplitMix64's finaliser applied in a chain: distinct (seed, step, micro-batch) give unrelated seeds. */
    static int derive(long runSeed, int step, int microBatch) {
        long z = mix(mix(mix(runSeed) + step) + microBatch);
        return (int) (z ^ (z >>> 32));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
