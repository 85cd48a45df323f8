package org.lorafoundry.jobs.domain;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

import org.lorafoundry.proto.v1.PriorityClass;

/** Priority classes as people write them: {@code HIGH} or {@code PRIORITY_CLASS_HIGH}, any case. */
public final class PriorityNames {

    private static final String PREFIX = "PRIORITY_CLASS_";

    private PriorityNames() {
    }

    public static PriorityClass parse(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        try {
            PriorityClass priority = PriorityClass.valueOf(upper.startsWith(PREFIX) ? upper : PREFIX + upper);
            if (priority != PriorityClass.PRIORITY_CLASS_UNSPECIFIED && priority != PriorityClass.UNRECOGNIZED) {
                return priority;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("Unknown priority '" + name + "' (LOW, NORMAL, HIGH, URGENT)");
    }

    public static Set<PriorityClass> parseAll(Collection<String> names) {
        Set<PriorityClass> priorities = EnumSet.noneOf(PriorityClass.class);
        names.forEach(name -> priorities.add(parse(name)));
        return priorities;
    }

    public static String shortName(PriorityClass priority) {
        return priority.name().replace(PREFIX, "");
    }
}
