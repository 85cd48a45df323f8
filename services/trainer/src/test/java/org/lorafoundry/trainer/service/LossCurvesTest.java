package org.lorafoundry.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.finetune.LossPoint;

class LossCurvesTest {

    @Test
    void shortCurvesAreKeptAsTheyAre() {
        List<LossPoint> curve = curve(5);
        assertThat(LossCurves.downsample(curve, 200)).isEqualTo(curve);
    }

    @Test
    void longCurvesBecomeBucketMeansEndingAtTheBucketsLastStepWithTheirLatestValidation() {
        List<LossPoint> curve = curve(10); // losses 1..10, validation at steps 4 and 6
        List<LossPoint> points = LossCurves.downsample(curve, 3); // buckets of 4: 1-4, 5-8, 9-10

        assertThat(points).extracting(LossPoint::step).containsExactly(4, 8, 10);
        assertThat(points).extracting(LossPoint::loss).containsExactly(2.5, 6.5, 9.5);
        assertThat(points.get(0).validationLoss()).hasValue(0.4);
        assertThat(points.get(1).validationLoss()).hasValue(0.6);
        assertThat(points.get(2).validationLoss()).isEmpty();
    }

    private static List<LossPoint> curve(int steps) {
        List<LossPoint> curve = new ArrayList<>();
        for (int step = 1; step <= steps; step++) {
            OptionalDouble validation = step == 4 || step == 6 ? OptionalDouble.of(step / 10.0) : OptionalDouble.empty();
            curve.add(new LossPoint(step, step, validation));
        }
        return curve;
    }
}
