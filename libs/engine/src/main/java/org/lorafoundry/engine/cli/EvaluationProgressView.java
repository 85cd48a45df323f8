package org.lorafoundry.engine.cli;

import java.util.Locale;
import org.lorafoundry.engine.eval.EvaluationListener;
import org.lorafoundry.engine.eval.EvaluationProgress;

/**
 * An evaluation's progress: {@code [############------------]  4/8 examples  loss pass}, then the same for generating
 * answers. On a terminal the line is redrawn; elsewhere a line at about every tenth of a phase and at its end.
 */
final class EvaluationProgressView implements EvaluationListener {
    private final ProgressDisplay display;

    EvaluationProgressView(ProgressDisplay display) {
        this.display = display;
    }

    @Override
    public void onProgress(EvaluationProgress p) {
        boolean last = p.done() == p.total();
        switch (display.mode()) {
            case REDRAWN -> display.redraw(format(p, true), last);
            case LINES -> {
                int every = Math.max(1, (p.total() + 9) / 10);
                if (last || p.done() % every == 0) {
                    display.line(format(p, false));
                }
            }
            case QUIET -> {
            }
        }
        if (last) {
            display.finish();
        }
    }

    static String format(EvaluationProgress p, boolean withBar) {
        String phase = p.phase() == EvaluationProgress.Phase.LOSS ? "loss pass" : "generating answers";
        String counts = String.format(Locale.ROOT, "%d/%d examples  %s", p.done(), p.total(), phase);
        return withBar ? ProgressDisplay.bar(p.total() == 0 ? 1 : (double) p.done() / p.total()) + "  " + counts
                : counts;
    }
}
