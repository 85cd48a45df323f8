package org.lorafoundry.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.eval.EvaluationProgress;
import org.lorafoundry.engine.finetune.FineTuneProgress;

/** What training and evaluation progress looks like on a terminal, in a log, and with --quiet. */
class ProgressViewTest {

    private static FineTuneProgress step(int step, int total, OptionalDouble validation, OptionalDouble kl) {
        return new FineTuneProgress(step, total, step / 4.0, 3.0 - step * 0.01, 1e-3, 0.5, 1234.4,
                (total - step) * 2.0, step * 100L, validation, kl, OptionalDouble.empty());
    }

    @Test
    void aLineShowsStepLossLrSpeedEtaValidationAndKl() {
        String line = TrainingProgressView.format(step(8, 24, OptionalDouble.empty(), OptionalDouble.of(0.0123)),
                OptionalDouble.of(3.19), true);
        assertThat(line).isEqualTo("[########----------------]  33%  step 8/24  epoch 2.00  loss 2.9200  "
                + "lr 1.00e-03  1,234 tok/s  ETA 32s  val 3.1900  KL 0.0123");
        String last = TrainingProgressView.format(step(24, 24, OptionalDouble.empty(), OptionalDouble.empty()),
                OptionalDouble.empty(), false);
        assertThat(last).isEqualTo("100%  step 24/24  epoch 6.00  loss 2.7600  lr 1.00e-03  1,234 tok/s");
    }

    @Test
    void durationsReadLikeAClock() {
        assertThat(TrainingProgressView.duration(44.6)).isEqualTo("45s");
        assertThat(TrainingProgressView.duration(192)).isEqualTo("3m12s");
        assertThat(TrainingProgressView.duration(7500)).isEqualTo("2h05m");
        assertThat(TrainingProgressView.duration(-1)).isEqualTo("0s");
    }

    @Test
    void withoutATerminalLinesComeEveryNStepsAtValidationAndAtTheEnd() {
        StringWriter err = new StringWriter();
        TrainingProgressView view = new TrainingProgressView(new ProgressDisplay(new PrintWriter(err),
                ProgressDisplay.Mode.LINES), 5);
        for (int s = 1; s <= 12; s++) {
            view.onProgress(step(s, 12, s == 7 ? OptionalDouble.of(2.5) : OptionalDouble.empty(),
                    OptionalDouble.empty()));
        }
        assertThat(err.toString().lines().map(l -> l.replaceAll("^\\s*\\d+%\\s+step (\\d+)/12.*", "$1")))
                .containsExactly("1", "5", "7", "10", "12");
        assertThat(err.toString()).doesNotContain("\r", "[#");
        assertThat(err.toString().lines().filter(l -> l.contains("val 2.5000"))).hasSize(1);
    }

    @Test
    void onATerminalOneLineIsRedrawnAndValidationsStay() {
        StringWriter err = new StringWriter();
        ProgressDisplay display = new ProgressDisplay(new PrintWriter(err), ProgressDisplay.Mode.REDRAWN);
        TrainingProgressView view = new TrainingProgressView(display, 0);
        view.onProgress(step(1, 2, OptionalDouble.empty(), OptionalDouble.empty()));
        view.onProgress(step(2, 2, OptionalDouble.of(2.5), OptionalDouble.empty()));
        view.finish();
        String text = err.toString();
        assertThat(text).startsWith("\r[");
        assertThat(text).contains("step 2/2: validation loss 2.5000 (perplexity 12.18)\n");
        assertThat(text).contains("\r[########################] 100%  step 2/2");
        assertThat(text).endsWith("val 2.5000\n");
    }

    @Test
    void quietShowsNothing() {
        StringWriter err = new StringWriter();
        ProgressDisplay display = new ProgressDisplay(new PrintWriter(err), ProgressDisplay.Mode.QUIET);
        new TrainingProgressView(display, 1).onProgress(step(1, 1, OptionalDouble.of(1), OptionalDouble.empty()));
        new EvaluationProgressView(display).onProgress(new EvaluationProgress(EvaluationProgress.Phase.LOSS, 1, 1));
        display.line("a note");
        display.finish();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void evaluationProgressNamesThePhase() {
        assertThat(EvaluationProgressView.format(new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 3, 8),
                true)).isEqualTo("[#########---------------]  3/8 examples  generating answers");
        StringWriter err = new StringWriter();
        EvaluationProgressView view = new EvaluationProgressView(new ProgressDisplay(new PrintWriter(err),
                ProgressDisplay.Mode.LINES));
        for (int i = 1; i <= 30; i++) {
            view.onProgress(new EvaluationProgress(EvaluationProgress.Phase.LOSS, i, 30));
        }
        assertThat(err.toString().lines()).hasSize(10).last().isEqualTo("30/30 examples  loss pass");
    }
}
