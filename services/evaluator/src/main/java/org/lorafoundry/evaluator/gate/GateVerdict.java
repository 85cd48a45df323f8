package org.lorafoundry.evaluator.gate;

import java.util.List;

import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.Verdict;

/**
 * The outcome of a gate: the verdict, every threshold's result in policy order (a metric threshold with a value and a
 * change half gives two), and one line for a person.
 */
public record GateVerdict(Verdict verdict, List<ThresholdResult> results, String summary) {

    public GateVerdict {
        results = List.copyOf(results);
    }

    public boolean passed() {
        return verdict == Verdict.VERDICT_PASSED;
    }
}
