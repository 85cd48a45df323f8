package org.lorafoundry.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How people name a dataset or an adapter on the command line: {@code [team/]name[@version]}, the version being a
 * number ({@code 3}, {@code v3}) or, for adapters, an alias ({@code production}).
 *
 * @param team    null when not given (the configured team applies)
 * @param name    the name
 * @param version null when not given (the latest)
 */
public record ResourceRef(String team, String name, String version) {

    private static final Pattern REF = Pattern.compile("(?:([^/@\\s]+)/)?([^/@\\s]+)(?:@([^/@\\s]+))?");
    private static final Pattern NUMBER = Pattern.compile("v?([1-9][0-9]{0,8})");

    public static ResourceRef parse(String text, String what) {
        Matcher matcher = REF.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw CliException.usage("'" + text + "' does not name " + what + ": use [team/]name[@version], e.g. "
                    + "demo/support-chat@v3");
        }
        return new ResourceRef(matcher.group(1), matcher.group(2), matcher.group(3));
    }

    /** The ref's team, else {@code fallback}. */
    public String teamOr(String fallback) {
        return team != null ? team : fallback;
    }

    /** The version as a number when it is one ({@code 3} or {@code v3}); null for an alias or no version. */
    public Integer versionNumber() {
        if (version == null) {
            return null;
        }
        Matcher matcher = NUMBER.matcher(version);
        return matcher.matches() ? Integer.valueOf(matcher.group(1)) : null;
    }
}
