package org.lorafoundry.trainer.service;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.lorafoundry.engine.finetune.LossPoint;

/**
 * Down-samples a run's per-step loss curve for events and charts (common.proto {@code CurvePoint}): consecutive steps
 * are grouped into at most {@code maxPoints} buckets of equal size; a point is the bucket's last step with the mean
 * training loss over the bucket and the latest validation loss measured in it.
 */
final class LossCurves {

    private LossCurves() {
    }

    static List<LossPoint> downsample(List<LossPoint> curve, int maxPoints) {
        if (maxPoints < 1) {
            throw new IllegalArgumentException("maxPoints must be >= 1");
        }
        if (curve.size() <= maxPoints) {
            return curve;
        }
        int bucket = (curve.size() + maxPoints - 1) / maxPoints;
        List<LossPoint> points = new ArrayList<>();
        for (int start = 0; start < curve.size(); start += bucket) {
            List<LossPoint> steps = curve.subList(start, Math.min(curve.size(), start + bucket));
            double mean = steps.stream().mapToDouble(LossPoint::loss).average().orElseThrow();
            OptionalDouble validation = OptionalDouble.empty();
            for (LossPoint step : steps) {
                if (step.validationLoss().isPresent()) {
                    validation = step.validationLoss();
                }
            }
            points.add(new LossPoint(steps.get(steps.size() - 1).step(), mean, validation));
        }
        return points;
    }
}
