package org.lorafoundry.registry.domain;

import java.util.regex.Pattern;

import org.lorafoundry.platform.messaging.Topics;

/** The names the registry accepts: teams (the platform's rule), adapter names (the job spec's), aliases, base models. */
public final class Names {

    /** JobSpec.adapter_name's rule, so every name a job can ask for is registrable. */
    public static final Pattern ADAPTER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** Aliases start with a letter, so an alias can never be mistaken for a version number ("3", "v3" is refused too). */
    public static final Pattern ALIAS = Pattern.compile("[a-z][a-z0-9._-]{0,62}");
    /** Base model names as Hugging Face spells them, e.g. {@code Qwen2.5-0.5B}, {@code tiny-llama-1m}. */
    public static final Pattern BASE_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern VERSION_LIKE = Pattern.compile("v[0-9]+");

    public static final String PRODUCTION = "production";
    public static final String STAGING = "staging";

    private Names() {
    }

    public static boolean isTeam(String team) {
        return team != null && Topics.isValidTeamName(team);
    }

    public static boolean isAdapter(String name) {
        return name != null && ADAPTER.matcher(name).matches();
    }

    public static boolean isAlias(String alias) {
        return alias != null && ALIAS.matcher(alias).matches() && !VERSION_LIKE.matcher(alias).matches();
    }

    public static boolean isBaseModel(String name) {
        return name != null && BASE_MODEL.matcher(name).matches();
    }

    /** Kafka key of an adapter's events on the compacted registry topic. */
    public static String adapterKey(String team, String name) {
        return team + "/" + name;
    }

    /** Kafka key of a base model's events. */
    public static String baseModelKey(String name) {
        return "base-model:" + name;
    }

    /** {@code team/name@vN}, how people write a version. */
    public static String ref(String team, String name, int version) {
        return team + "/" + name + "@v" + version;
    }
}
