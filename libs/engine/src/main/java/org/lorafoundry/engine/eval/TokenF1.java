package org.lorafoundry.engine.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQuAD's token F1 ({@code compute_f1} of the v2.0 script): the words of both answers after
 * {@link SquadNormalizer} are compared as bags (multisets); precision = shared / predicted words, recall = shared /
 * reference words, F1 = 2PR / (P + R), 0 when nothing is shared. If either answer has no words, F1 is 1 when both
 * have none, else 0.
 */
public final class TokenF1 {
    private TokenF1() {
    }

    public static double score(String prediction, String reference) {
        List<String> predicted = SquadNormalizer.tokens(prediction);
        List<String> expected = SquadNormalizer.tokens(reference);
        if (predicted.isEmpty() || expected.isEmpty()) {
            return predicted.equals(expected) ? 1.0 : 0.0;
        }
        Map<String, Integer> remaining = new HashMap<>();
        expected.forEach(w -> remaining.merge(w, 1, Integer::sum));
        int shared = 0;
        for (String w : predicted) {
            Integer left = remaining.get(w);
            if (left != null && left > 0) {
                remaining.put(w, left - 1);
                shared++;
            }
        }
        if (shared == 0) {
            return 0.0;
        }
        double precision = (double) shared / predicted.size();
        double recall = (double) shared / expected.size();
        return 2 * precision * recall / (precision + recall);
    }
}
