package org.lorafoundry.engine.finetune;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Told after each checkpoint is complete on disk (e.g. to upload it), on the training thread, before training goes
 * on. A failure stops the run with {@link FineTuneException.Code#STORAGE_ERROR}.
 */
@FunctionalInterface
public interface CheckpointListener {
    CheckpointListener NONE = (step, dir) -> { };

    /**
     * @param step the optimizer step the checkpoint holds
     * @param directory the checkpoint, complete (it was renamed into place)
     */
    void onCheckpoint(int step, Path directory) throws IOException;
}
