package org.lorafoundry.registry.domain;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The differences between two JSON documents (e.g. two versions' LoRA configs and hyperparameters), as dotted paths.
 * Objects are walked; arrays of plain values are compared as a whole (a target-module list is one setting), arrays of
 * objects element by element ({@code thresholds[1].metricName}).
 */
public final class ConfigDiff {

    /** One setting that differs; {@code a} or {@code b} is null where only one document has it. */
    public record Entry(String path, JsonNode a, JsonNode b) {
    }

    private ConfigDiff() {
    }

    public static List<Entry> diff(JsonNode a, JsonNode b) {
        Map<String, JsonNode> left = flatten(a);
        Map<String, JsonNode> right = flatten(b);
        TreeSet<String> paths = new TreeSet<>(left.keySet());
        paths.addAll(right.keySet());
        List<Entry> entries = new ArrayList<>();
        for (String path : paths) {
            JsonNode x = left.get(path);
            JsonNode y = right.get(path);
            if (x == null || !x.equals(y)) {
                entries.add(new Entry(path, x, y));
            }
        }
        return entries;
    }

    public static Map<String, JsonNode> flatten(JsonNode node) {
        Map<String, JsonNode> leaves = new TreeMap<>();
        if (node != null) {
            walk("", node, leaves);
        }
        return leaves;
    }

    private static void walk(String path, JsonNode node, Map<String, JsonNode> leaves) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                walk(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), leaves);
            }
        } else if (node.isArray() && containsContainers(node)) {
            for (int i = 0; i < node.size(); i++) {
                walk(path + "[" + i + "]", node.get(i), leaves);
            }
        } else {
            leaves.put(path, node);
        }
    }

    private static boolean containsContainers(JsonNode array) {
        for (JsonNode element : array) {
            if (element.isContainerNode()) {
                return true;
            }
        }
        return false;
    }
}
