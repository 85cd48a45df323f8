package org.lorafoundry.engine.finetune;

import java.util.OptionalDouble;

/**
 * One point of the loss curve.
 *
 * @param step optimizer step (1-based)
 * @param loss the step's task loss
 * @param validationLoss the validation loss measured after this step, if one was
 */
public record LossPoint(int step, double loss, OptionalDouble validationLoss) {
}
