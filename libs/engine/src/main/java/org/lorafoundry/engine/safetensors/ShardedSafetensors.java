package org.lorafoundry.engine.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A sharded checkpoint: {@code model.safetensors.index.json} ({@code {"metadata": {...}, "weight_map": {tensor: file}}})
 * and the shard files it names, each opened once with {@link SafetensorsReader}. Opening checks that every shard
 * exists and holds the tensors the index assigns to it.
 */
public final class ShardedSafetensors implements TensorSource {
    private final Path index;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsReader> byTensor;
    private final Map<String, SafetensorsReader> shards;

    private ShardedSafetensors(Path index, Map<String, String> metadata, Map<String, SafetensorsReader> byTensor,
            Map<String, SafetensorsReader> shards) {
        this.index = index;
        this.metadata = metadata;
        this.byTensor = byTensor;
        this.shards = shards;
    }

    public static ShardedSafetensors open(Path indexFile) throws IOException {
        JsonNode root;
        try {
            root = SafetensorsReader.JSON.readTree(Files.readString(indexFile));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException("corrupt sharded index " + indexFile + ": " + e.getOriginalMessage());
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new SafetensorsFormatException("corrupt sharded index " + indexFile + ": no weight_map");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.isObject()) {
            meta.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().isTextual()
                    ? e.getValue().asText() : e.getValue().toString()));
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, SafetensorsReader> shards = new TreeMap<>();
        Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                Path shardPath = dir.resolve(shardName).normalize();
                if (!shardPath.startsWith(dir) || shardName.isEmpty()) {
                    throw new SafetensorsFormatException("sharded index " + indexFile + " points outside its directory: "
                            + shardName);
                }
                SafetensorsReader shard = shards.get(shardName);
                if (shard == null) {
                    if (!Files.isRegularFile(shardPath)) {
                        throw new SafetensorsFormatException("shard " + shardName + " listed in " + indexFile
                                + " is missing");
                    }
                    shard = SafetensorsReader.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new SafetensorsFormatException("sharded index " + indexFile + " puts '" + e.getKey()
                            + "' in " + shardName + ", which does not contain it");
                }
                byTensor.put(e.getKey(), shard);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsReader r : shards.values()) {
                r.close();
            }
            throw e;
        }
        return new ShardedSafetensors(indexFile, Collections.unmodifiableMap(metadata), byTensor, shards);
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(byTensor.keySet()));
    }

    @Override
    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    @Override
    public TensorView tensor(String name) {
        SafetensorsReader shard = byTensor.get(name);
        if (shard == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + index);
        }
        return shard.tensor(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Path location() {
        return index;
    }

    /** Shard file name -> reader. */
    public Map<String, SafetensorsReader> shards() {
        return Collections.unmodifiableMap(shards);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsReader r : shards.values()) {
            try {
                r.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
