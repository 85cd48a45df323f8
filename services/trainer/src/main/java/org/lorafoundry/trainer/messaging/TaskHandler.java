package org.lorafoundry.trainer.messaging;

import org.lorafoundry.trainer.service.AttemptOutcome;
import org.lorafoundry.trainer.service.StopSignal;

/** Runs one delivered task to its end (on the attempt thread) and says how to acknowledge it. */
public interface TaskHandler {

    AttemptOutcome handle(TaskDelivery delivery, StopSignal stop);
}
