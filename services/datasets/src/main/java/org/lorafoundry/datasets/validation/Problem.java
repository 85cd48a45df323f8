package org.lorafoundry.datasets.validation;

/**
 * One problem found in a dataset input.
 *
 * @param line    1-based line number in the input; 0 = the whole input or the command
 * @param code    what kind of problem
 * @param message what is wrong, for a person
 * @param field   JSON path inside the row (e.g. {@code messages[2].role}), or empty
 * @param input   {@code source} or {@code validation}
 */
public record Problem(long line, ProblemCode code, String message, String field, String input) {

    public static final String SOURCE = "source";
    public static final String VALIDATION = "validation";

    public Problem {
        field = field == null ? "" : field;
        input = input == null ? SOURCE : input;
    }

    public static Problem ofFile(ProblemCode code, String message, String input) {
        return new Problem(0, code, message, "", input);
    }
}
