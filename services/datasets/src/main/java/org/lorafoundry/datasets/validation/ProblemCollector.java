package org.lorafoundry.datasets.validation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collects problems with bounded memory: the first {@code maxListed} errors and the first {@code maxListed} warnings in
 * full, and a count per code of all of them.
 */
public final class ProblemCollector {

    private static final Comparator<Problem> ORDER = Comparator
            .comparing((Problem p) -> p.input().equals(Problem.SOURCE) ? 0 : 1)
            .thenComparingLong(Problem::line);

    private final int maxListed;
    private final List<Problem> errors = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();
    private final Map<ProblemCode, Long> errorCounts = new EnumMap<>(ProblemCode.class);
    private final Map<ProblemCode, Long> warningCounts = new EnumMap<>(ProblemCode.class);

    public ProblemCollector(int maxListed) {
        this.maxListed = maxListed;
    }

    public void error(Problem problem) {
        errorCounts.merge(problem.code(), 1L, Long::sum);
        // Whole-input problems (line 0) are always listed: there are few, and they explain the rest.
        if (errors.size() < maxListed || problem.line() == 0) {
            errors.add(problem);
        }
    }

    public void warning(Problem problem) {
        warningCounts.merge(problem.code(), 1L, Long::sum);
        if (warnings.size() < maxListed) {
            warnings.add(problem);
        }
    }

    /** Counts warnings of one code without listing them (their samples were listed another way). */
    public void countWarnings(ProblemCode code, long count) {
        if (count > 0) {
            warningCounts.merge(code, count, Long::sum);
        }
    }

    /** Lists a warning whose count was already recorded with {@link #countWarnings}. */
    public void listWarning(Problem problem) {
        if (warnings.size() < maxListed) {
            warnings.add(problem);
        }
    }

    public boolean hasErrors() {
        return !errorCounts.isEmpty();
    }

    public long errorCount() {
        return errorCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The listed errors, in input then line order. */
    public List<Problem> errors() {
        List<Problem> sorted = new ArrayList<>(errors);
        sorted.sort(ORDER);
        return Collections.unmodifiableList(sorted);
    }

    public List<Problem> warnings() {
        List<Problem> sorted = new ArrayList<>(warnings);
        sorted.sort(ORDER);
        return Collections.unmodifiableList(sorted);
    }

    public Map<ProblemCode, Long> errorCounts() {
        return Collections.unmodifiableMap(new EnumMap<>(errorCounts));
    }

    public Map<ProblemCode, Long> warningCounts() {
        return Collections.unmodifiableMap(new EnumMap<>(warningCounts));
    }

    public int maxListed() {
        return maxListed;
    }
}
