package org.lorafoundry.engine.train;

/**
 * The loss or the gradient norm of an optimizer step was NaN or infinite. Thrown before the update, so the adapter
 * still holds the weights of the previous step.
 */
public class TrainingDivergedException extends RuntimeException {
    private final int step;

    public TrainingDivergedException(int step, String what, double learningRate) {
        super("training diverged at step " + step + ": " + what + " (learning rate " + learningRate + "); lower the"
                + " learning rate, use a longer warmup or clip gradients (max_grad_norm)");
        this.step = step;
    }

    /** The 1-based optimizer step that diverged. */
    public int step() {
        return step;
    }
}
