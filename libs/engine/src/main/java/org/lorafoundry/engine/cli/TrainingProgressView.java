package org.lorafoundry.engine.cli;

import java.util.Locale;
import java.util.OptionalDouble;
import org.lorafoundry.engine.finetune.FineTuneProgress;
import org.lorafoundry.engine.finetune.ProgressListener;

/**
 * A fine-tuning run's progress as {@link ProgressDisplay} shows it:
 * {@code [########----------------]  33%  step 8/24  epoch 1.00  loss 3.2101  lr 8.00e-03  1,234 tok/s  ETA 12s
 * val 3.1900  KL 0.0123}. On a terminal the line is redrawn every step and each validation is kept as a line of its
 * own; elsewhere a line is printed every {@code logEvery} steps, at each validation and at the end (HF's
 * {@code logging_steps}).
 */
final class TrainingProgressView implements ProgressListener {
    private final ProgressDisplay display;
    private final int logEvery;
    private OptionalDouble lastValidation = OptionalDouble.empty();
    private boolean first = true;

    /**
     * @param logEvery plain-line cadence in steps; 0 = about 20 lines per run
     */
    TrainingProgressView(ProgressDisplay display, int logEvery) {
        this.display = display;
        this.logEvery = logEvery;
    }

    @Override
    public void onProgress(FineTuneProgress p) {
        if (p.validationLoss().isPresent()) {
            lastValidation = p.validationLoss();
        }
        boolean last = p.step() == p.totalSteps();
        switch (display.mode()) {
            case REDRAWN -> {
                if (p.validationLoss().isPresent()) {
                    display.line(String.format(Locale.ROOT, "step %d/%d: validation loss %.4f (perplexity %.2f)",
                            p.step(), p.totalSteps(), p.validationLoss().getAsDouble(),
                            Math.exp(p.validationLoss().getAsDouble())));
                }
                display.redraw(format(p, lastValidation, true), last);
            }
            case LINES -> {
                int every = logEvery > 0 ? logEvery : Math.max(1, (p.totalSteps() + 19) / 20);
                // A line stands alone: it shows a validation loss only where one was measured.
                if (first || last || p.step() % every == 0 || p.validationLoss().isPresent()) {
                    display.line(format(p, p.validationLoss(), false));
                }
            }
            case QUIET -> {
            }
        }
        first = false;
    }

    /** Ends the redrawn line (call when training returns or fails). */
    void finish() {
        display.finish();
    }

    /**
     * One progress line.
     *
     * @param validation the latest validation loss (shown until the next one)
     * @param withBar whether to start with a bar (terminals)
     */
    static String format(FineTuneProgress p, OptionalDouble validation, boolean withBar) {
        StringBuilder s = new StringBuilder();
        double fraction = p.totalSteps() == 0 ? 1 : (double) p.step() / p.totalSteps();
        if (withBar) {
            s.append(ProgressDisplay.bar(fraction)).append(' ');
        }
        s.append(String.format(Locale.ROOT, "%3d%%  step %d/%d  epoch %.2f  loss %.4f  lr %.2e", Math.round(fraction
                * 100), p.step(), p.totalSteps(), p.epoch(), p.loss(), p.learningRate()));
        if (p.tokensPerSecond() > 0 && Double.isFinite(p.tokensPerSecond())) {
            s.append(String.format(Locale.ROOT, "  %,d tok/s", Math.round(p.tokensPerSecond())));
        }
        if (p.step() < p.totalSteps()) {
            s.append("  ETA ").append(duration(p.etaSeconds()));
        }
        validation.ifPresent(v -> s.append(String.format(Locale.ROOT, "  val %.4f", v)));
        p.klDivergence().ifPresent(v -> s.append(String.format(Locale.ROOT, "  KL %.4f", v)));
        return s.toString();
    }

    /** {@code 45s}, {@code 3m12s}, {@code 2h05m}. */
    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
