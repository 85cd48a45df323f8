package org.lorafoundry.cli.output;

import java.util.Locale;

import org.lorafoundry.proto.v1.TrainingProgress;

/**
 * One line about a training's progress: {@code [#####-----]  50%  step 250/500  loss 1.2345  1,234 tok/s  ETA 3m12s}.
 * On a terminal the bar is redrawn in place; elsewhere the same facts print without the bar, one line per report.
 */
public final class ProgressBar {

    private static final int BAR_WIDTH = 24;

    private ProgressBar() {
    }

    public static String render(TrainingProgress progress, boolean withBar) {
        StringBuilder line = new StringBuilder();
        long total = progress.getTotalSteps();
        if (total > 0) {
            double fraction = Math.min(1.0, Math.max(0.0, (double) progress.getStep() / total));
            if (withBar) {
                int filled = (int) Math.round(fraction * BAR_WIDTH);
                line.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
            }
            line.append(String.format(Locale.ROOT, "%3d%%  step %d/%d", Math.round(fraction * 100), progress.getStep(),
                    total));
        } else {
            line.append("step ").append(progress.getStep());
        }
        line.append(String.format(Locale.ROOT, "  loss %.4f", progress.getLoss()));
        if (progress.hasValidationLoss()) {
            line.append(String.format(Locale.ROOT, "  val %.4f", progress.getValidationLoss()));
        }
        if (progress.getTokensPerSecond() > 0) {
            line.append(String.format(Locale.ROOT, "  %,d tok/s", Math.round(progress.getTokensPerSecond())));
        }
        if (progress.getEtaSeconds() > 0) {
            line.append("  ETA ").append(duration(progress.getEtaSeconds()));
        }
        return line.toString();
    }

    /** {@code 45s}, {@code 3m12s}, {@code 2h05m}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }
}
