package org.lorafoundry.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.TrainingProgress;

class ProgressBarTest {

    private static final TrainingProgress HALF = TrainingProgress.newBuilder().setStep(250).setTotalSteps(500)
            .setLoss(1.23456).setTokensPerSecond(1234.4).setEtaSeconds(192).build();

    @Test
    void onATerminalTheBarShowsTheFractionDone() {
        assertThat(ProgressBar.render(HALF, true))
                .isEqualTo("[############------------]  50%  step 250/500  loss 1.2346  1,234 tok/s  ETA 3m12s");
    }

    @Test
    void elsewhereTheSameFactsWithoutTheBar() {
        assertThat(ProgressBar.render(HALF, false)).isEqualTo(" 50%  step 250/500  loss 1.2346  1,234 tok/s  ETA 3m12s");
    }

    @Test
    void validationLossShowsWhenReportedAndUnknownTotalsAreLeftOut() {
        TrainingProgress early = TrainingProgress.newBuilder().setStep(3).setLoss(2.5).setValidationLoss(2.75).build();

        assertThat(ProgressBar.render(early, true)).isEqualTo("step 3  loss 2.5000  val 2.7500");
    }

    @Test
    void theBarIsFullAtTheEndAndNeverOverflows() {
        TrainingProgress over = TrainingProgress.newBuilder().setStep(510).setTotalSteps(500).build();

        assertThat(ProgressBar.render(over, true)).startsWith("[########################] 100%  step 510/500");
    }

    @Test
    void durationsReadLikeClocks() {
        assertThat(ProgressBar.duration(45)).isEqualTo("45s");
        assertThat(ProgressBar.duration(192)).isEqualTo("3m12s");
        assertThat(ProgressBar.duration(7500)).isEqualTo("2h05m");
    }
}
