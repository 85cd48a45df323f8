package org.lorafoundry.engine.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The answer normalisation of the SQuAD evaluation script ({@code normalize_answer}), in its order:
 * <ol>
 *   <li>lower-case ({@code Locale.ROOT});</li>
 *   <li>remove ASCII punctuation (Python's {@code string.punctuation}:
 *   <code>!"#$%&amp;'()*+,-./:;&lt;=&gt;?@[\]^_`{|}~</code>; other characters, e.g. "—" or "¿", stay);</li>
 *   <li>replace the articles {@code a}, {@code an}, {@code the} (whole words, Unicode word boundaries as Python's
 *   {@code re}) by a space;</li>
 *   <li>collapse whitespace: split on runs of Unicode whitespace, join with single spaces (so no leading or trailing
 *   space is left).</li>
 * </ol>
 * {@code "The  Cat's hat!"} becomes {@code "cats hat"}.
 */
public final class SquadNormalizer {
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private SquadNormalizer() {
    }

    public static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        lower.codePoints().filter(c -> PUNCTUATION.indexOf(c) < 0).forEach(kept::appendCodePoint);
        String noArticles = ARTICLES.matcher(kept).replaceAll(" ");
        return String.join(" ", splitOnWhitespace(noArticles));
    }

    /** The normalised text split into words (SQuAD's {@code get_tokens}); empty for an empty answer. */
    public static List<String> tokens(String text) {
        return splitOnWhitespace(normalize(text));
    }

    /** Python's {@code str.split()}: runs of whitespace separate words; none are empty. */
    private static List<String> splitOnWhitespace(CharSequence text) {
        return Arrays.stream(WHITESPACE.split(text)).filter(s -> !s.isEmpty()).toList();
    }
}
