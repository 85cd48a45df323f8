package org.lorafoundry.engine.finetune;

/**
 * What the data pipeline made of the JSONL files.
 *
 * @param trainExamples training examples used
 * @param truncatedExamples training examples longer than {@code maxSeqLength}, cut at the right
 * @param truncatedTokens tokens those cuts dropped
 * @param droppedExamples training examples left without a token to learn (e.g. a completion cut off entirely),
 *     not used
 * @param validationExamples validation examples (0 without validation data)
 * @param referenceExamples reference examples (0 without reference data)
 */
public record DataSummary(int trainExamples, long truncatedExamples, long truncatedTokens, int droppedExamples,
        int validationExamples, int referenceExamples) {
}
