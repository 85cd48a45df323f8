package org.lorafoundry.platform.messaging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parsed topic definition file ({@code infra/topics.conf}); see that file for its format. */
public record TopicDefinitions(List<TopicDefinition> topics, List<GroupDefinition> groups) {

    /** Where the build copies {@code infra/topics.conf} inside the platform jar. */
    public static final String CLASSPATH_LOCATION = "org/lorafoundry/platform/messaging/topics.conf";

    public TopicDefinitions {
        topics = List.copyOf(topics);
        groups = List.copyOf(groups);
    }

    public static TopicDefinitions fromClasspath() {
        InputStream in = TopicDefinitions.class.getClassLoader().getResourceAsStream(CLASSPATH_LOCATION);
        if (in == null) {
            throw new IllegalStateException("Topic definitions not found on the classpath at " + CLASSPATH_LOCATION);
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return parse(reader, CLASSPATH_LOCATION);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TopicDefinitions fromFile(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read topic definitions " + file, e);
        }
    }

    static TopicDefinitions parse(Reader source, String origin) throws IOException {
        List<TopicDefinition> topics = new ArrayList<>();
        List<GroupDefinition> groups = new ArrayList<>();
        BufferedReader reader = new BufferedReader(source);
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] words = text.split("\\s+");
            if (words.length < 2) {
                throw syntax(origin, number, "expected '<topic|group> <name> [key=value ...]'");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 2; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0 || eq == words[i].length() - 1) {
                    throw syntax(origin, number, "expected key=value, got '" + words[i] + "'");
                }
                settings.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            switch (words[0]) {
                case "topic" -> {
                    String partitions = settings.remove("partitions");
                    if (partitions == null) {
                        throw syntax(origin, number, "topic " + words[1] + " needs partitions=<n>");
                    }
                    try {
                        topics.add(new TopicDefinition(words[1], Integer.parseInt(partitions), settings));
                    } catch (IllegalArgumentException e) {
                        throw syntax(origin, number, e.getMessage());
                    }
                }
                case "group" -> groups.add(new GroupDefinition(words[1], settings));
                default -> throw syntax(origin, number, "unknown entry '" + words[0] + "' (expected topic or group)");
            }
        }
        return new TopicDefinitions(topics, groups);
    }

    /** Every concrete topic: fixed topics as they are, per-team topics once per team. */
    public List<TopicDefinition> expand(Collection<String> teams) {
        List<TopicDefinition> expanded = new ArrayList<>();
        for (TopicDefinition topic : topics) {
            if (topic.perTeam()) {
                teams.forEach(team -> expanded.add(topic.forTeam(team)));
            } else {
                expanded.add(topic);
            }
        }
        return expanded;
    }

    private static IllegalArgumentException syntax(String origin, int line, String message) {
        return new IllegalArgumentException(origin + ":" + line + ": " + message);
    }
}
