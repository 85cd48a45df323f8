package org.lorafoundry.engine.finetune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints of a run, {@code <root>/checkpoint-<step>/} as Hugging Face's Trainer names them, each written
 * atomically ({@link AtomicDirectory}) and holding:
 * <pre>
 * adapter_config.json, adapter_model.safetensors, README.md   the adapter (PEFT's files; PEFT loads it)
 * optimizer.safetensors                                        AdamW's moments per tensor + the step count
 * trainer_state.json                                           {@link TrainerState}
 * </pre>
 * Beyond {@code keep} checkpoints, the oldest are deleted after a new one is in place (0 = keep all).
 */
final class CheckpointStore {
    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

    private final Path root;
    private final int keep;

    CheckpointStore(Path root, int keep) {
        this.root = root;
        this.keep = keep;
    }

    static String name(int step) {
        return "checkpoint-" + step;
    }

    /** Writes checkpoint {@code step} atomically, then prunes; returns its directory. */
    Path write(int step, AtomicDirectory.Contents contents) throws IOException {
        Path dir = root.resolve(name(step));
        AtomicDirectory.write(dir, contents);
        prune();
        return dir;
    }

    /** Complete checkpoints, oldest first. */
    List<Path> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var s = Files.list(root)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
                    .sorted(Comparator.comparingInt(CheckpointStore::step)).toList();
        }
    }

    private void prune() throws IOException {
        if (keep <= 0) {
            return;
        }
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            AtomicDirectory.deleteRecursively(all.get(i));
        }
    }

    private static int step(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
