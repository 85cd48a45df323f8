package org.lorafoundry.evaluator.model;

/**
 * One evaluation row as the report shows it: what the base model alone and the base model with the candidate adapter
 * generated for the same prompt.
 *
 * @param prompt          the prompt (for chat rows: the conversation up to the last assistant turn, rendered as text)
 * @param reference       the expected completion (or label)
 * @param baseModelOutput the base model's generation without adapter
 * @param adapterOutput   the generation with the candidate adapter
 */
public record GenerationExample(String prompt, String reference, String baseModelOutput, String adapterOutput) {
}
