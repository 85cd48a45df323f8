package org.lorafoundry.engine.eval;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one generation produced.
 *
 * @param text the generated tokens decoded without special tokens; with {@link FinishReason#STOP_SEQUENCE}, cut
 *     before the stop sequence
 * @param tokenIds every generated token, in order (an EOS last with {@link FinishReason#EOS}; with a stop sequence,
 *     up to the token that completed it): what transformers' {@code generate} appends to the prompt
 * @param finishReason why it ended
 * @param promptTokens tokens of the prompt the model read
 */
public record Generation(String text, long[] tokenIds, FinishReason finishReason, int promptTokens) {
    public Generation {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        tokenIds = tokenIds.clone();
    }

    /** Number of generated tokens. */
    public int generatedTokens() {
        return tokenIds.length;
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Generation g && text.equals(g.text) && Arrays.equals(tokenIds, g.tokenIds)
                && finishReason == g.finishReason && promptTokens == g.promptTokens;
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, Arrays.hashCode(tokenIds), finishReason, promptTokens);
    }

    @Override
    public String toString() {
        return "Generation[" + finishReason + ", " + tokenIds.length + " tokens: " + Arrays.toString(tokenIds)
                + ", text=\"" + text + "\"]";
    }
}
