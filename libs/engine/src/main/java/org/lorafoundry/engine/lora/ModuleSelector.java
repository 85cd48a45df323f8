package org.lorafoundry.engine.lora;

import java.util.List;
import java.util.Objects;

/**
 * PEFT's {@code target_modules} / {@code exclude_modules} value: either a list of names (a module matches a name when
 * it equals it or ends with {@code "." + name}) or one string, a regular expression the whole module name must match
 * ({@code re.fullmatch}). The string {@code all-linear} (any case) in {@code target_modules} means every linear
 * projection except the output head.
 */
public record ModuleSelector(List<String> names, String regex) {
    /** PEFT's shorthand for every linear layer but the output embedding. */
    public static final String ALL_LINEAR = "all-linear";

    public ModuleSelector {
        if ((names == null) == (regex == null)) {
            throw new IllegalArgumentException("exactly one of names and regex");
        }
        names = names == null ? null : List.copyOf(names);
    }

    public static ModuleSelector names(List<String> names) {
        return new ModuleSelector(names, null);
    }

    public static ModuleSelector names(String... names) {
        return new ModuleSelector(List.of(names), null);
    }

    public static ModuleSelector regex(String regex) {
        return new ModuleSelector(null, Objects.requireNonNull(regex));
    }

    public static ModuleSelector allLinear() {
        return regex(ALL_LINEAR);
    }

    public boolean isRegex() {
        return regex != null;
    }

    public boolean isAllLinear() {
        return regex != null && regex.equalsIgnoreCase(ALL_LINEAR);
    }

    @Override
    public String toString() {
        return regex != null ? "'" + regex + "'" : names.toString();
    }
}
