package org.lorafoundry.engine.finetune;

/** Told after every optimizer step, on the training thread (keep it quick: the next step waits). */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void onProgress(FineTuneProgress progress);
}
