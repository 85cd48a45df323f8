package org.lorafoundry.engine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code train --config FILE}: a JSON object whose keys are the command's long option names without the dashes
 * ({@code "lr"}, {@code "target-modules"}; {@code _} may stand for {@code -}) and whose values are what the option
 * takes (a string or number, {@code true}/{@code false} for a flag, an array for a list). The file becomes options
 * placed before the command line's, and an option the command line gives is not taken from the file: the command
 * line wins. Unknown keys are refused, with the valid ones listed.
 */
final class ConfigFileArguments {
    static final String OPTION = "--config";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFileArguments() {
    }

    /** {@code args} with the file's options inserted after the subcommand name, or {@code args} as they are. */
    static String[] expand(String[] args, CommandSpec command) {
        int at = List.of(args).indexOf(command.name());
        if (at < 0) {
            return args;
        }
        Path file = null;
        Set<OptionSpec> given = new HashSet<>();
        for (int i = at + 1; i < args.length; i++) {
            String name = args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            OptionSpec option = name.startsWith("-") ? command.findOption(name) : null;
            if (option == null) {
                continue;
            }
            given.add(option);
            if (option.longestName().equals(OPTION)) {
                file = Path.of(args[i].contains("=") ? args[i].substring(args[i].indexOf('=') + 1)
                        : i + 1 < args.length ? args[i + 1] : "");
            }
        }
        if (file == null) {
            return args;
        }
        List<String> out = new ArrayList<>(List.of(args).subList(0, at + 1));
        out.addAll(arguments(read(file), command, given, file));
        out.addAll(List.of(args).subList(at + 1, args.length));
        return out.toArray(String[]::new);
    }

    private static JsonNode read(Path file) {
        InputPaths.file(file, OPTION);
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            if (root == null || !root.isObject()) {
                throw CliFailure.badInput(OPTION + " " + file + " must hold a JSON object of option names to values");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw CliFailure.badInput(OPTION + " " + file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw CliFailure.badInput("cannot read " + OPTION + " " + file + ": " + e.getMessage());
        }
    }

    private static List<String> arguments(JsonNode root, CommandSpec command, Set<OptionSpec> given, Path file) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = "--" + entry.getKey().replace('_', '-');
            OptionSpec option = command.findOption(name);
            if (option == null || option.longestName().equals(OPTION) || option.usageHelp()
                    || option.versionHelp()) {
                throw CliFailure.badInput(file + ": '" + entry.getKey() + "' is not an option of " + command.name()
                        + "; keys: " + String.join(", ", keys(command)));
            }
            if (given.contains(option)) {
                continue;
            }
            out.addAll(values(name, entry.getValue(), option, file));
        }
        return out;
    }

    private static List<String> values(String name, JsonNode value, OptionSpec option, Path file) {
        String where = file + ": '" + name.substring(2) + "'";
        if (option.arity().max() == 0) {
            if (!value.isBoolean()) {
                throw CliFailure.badInput(where + " is a flag: give true or false, not " + value);
            }
            // Flags are off unless given; a negatable one (on by default) is turned off by its --no- form.
            if (value.asBoolean()) {
                return List.of(name);
            }
            return option.negatable() ? List.of("--no-" + name.substring(2)) : List.of();
        }
        if (value.isArray()) {
            if (!option.isMultiValue()) {
                throw CliFailure.badInput(where + " takes one value, not a list");
            }
            List<String> parts = new ArrayList<>();
            value.forEach(v -> parts.add(scalar(v, where)));
            return List.of(name, String.join(",", parts));
        }
        return List.of(name, scalar(value, where));
    }

    private static String scalar(JsonNode v, String where) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isNumber() || v.isBoolean()) {
            return v.asText();
        }
        throw CliFailure.badInput(where + " must be a string, a number or a list of them, not " + v);
    }

    /** The first long name: the one the help lists first ({@code --batch-size}, not its HF alias). */
    private static String primaryName(OptionSpec option) {
        for (String n : option.names()) {
            if (n.startsWith("--")) {
                return n;
            }
        }
        return option.longestName();
    }

    private static Set<String> keys(CommandSpec command) {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : command.options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals(OPTION)) {
                keys.add(primaryName(o).substring(2));
            }
        }
        return keys;
    }
}
