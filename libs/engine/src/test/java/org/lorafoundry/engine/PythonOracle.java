package org.lorafoundry.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Python with torch + transformers that the live tests compare against: {@code -Dfoundry.python} / {@code
 * FOUNDRY_PYTHON}, else the venv {@code scripts/python-env.sh} caches ({@code FOUNDRY_PYTHON_VENV}, default
 * {@code ~/.cache/lora-foundry/venv}). Without one the live tests are skipped, unless {@code -Dfoundry.python.required=true}
 * or {@code FOUNDRY_PYTHON_REQUIRED=true} makes that a failure (for CI machines that must compare live).
 */
public final class PythonOracle {
    private static final String IMPORTS = "import torch, transformers, safetensors, tokenizers";
    private static Optional<Path> cached;
    private static String whyNot;

    private PythonOracle() {
    }

    /** The module directory (scripts/ lives there). */
    public static Path engineDir() {
        String dir = System.getProperty("foundry.engine.dir");
        return Path.of(dir == null || dir.isBlank() ? "." : dir).toAbsolutePath().normalize();
    }

    public static Path script(String name) {
        return engineDir().resolve("scripts").resolve(name);
    }

    /** A Python that imports torch, transformers, safetensors and tokenizers, if there is one. */
    public static synchronized Optional<Path> find() {
        if (cached != null) {
            return cached;
        }
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getProperty("foundry.python");
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv("FOUNDRY_PYTHON");
        }
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        } else {
            String venv = System.getenv("FOUNDRY_PYTHON_VENV");
            Path v = venv != null && !venv.isBlank() ? Path.of(venv)
                    : Path.of(System.getProperty("user.home"), ".cache", "lora-foundry", "venv");
            candidates.add(v.resolve("bin").resolve("python"));
        }
        StringBuilder reasons = new StringBuilder();
        for (Path p : candidates) {
            if (!Files.isExecutable(p)) {
                reasons.append(p).append(" does not exist; ");
                continue;
            }
            try {
                Result r = run(p, 120, "-c", IMPORTS);
                if (r.exitCode == 0) {
                    cached = Optional.of(p);
                    return cached;
                }
                reasons.append(p).append(" cannot '").append(IMPORTS).append("': ").append(r.tail()).append("; ");
            } catch (IOException e) {
                reasons.append(p).append(": ").append(e.getMessage()).append("; ");
            }
        }
        whyNot = reasons + "create the venv with libs/engine/scripts/python-env.sh or set FOUNDRY_PYTHON";
        cached = Optional.empty();
        return cached;
    }

    /**
     * Skips the calling test class (JUnit assumption) when there is no Python oracle, after printing why: failsafe's
     * summary of a skipped class shows no reason of its own.
     */
    public static Path requireOrSkip(String what) {
        Optional<Path> python = find();
        if (python.isEmpty()) {
            if (Boolean.getBoolean("foundry.python.required") || "true".equals(System.getenv("FOUNDRY_PYTHON_REQUIRED"))) {
                throw new AssertionError(what + " needs Python (foundry.python.required is set): " + whyNot);
            }
            String message = what + " SKIPPED: " + whyNot;
            System.out.println("[python-oracle] " + message);
            org.junit.jupiter.api.Assumptions.abort(message);
        }
        return python.get();
    }

    /** Why {@link #find()} found nothing. */
    public static String whyNot() {
        return whyNot;
    }

    /** Exit code and combined output of a finished process. */
    public record Result(int exitCode, String output) {
        String tail() {
            return output.length() > 2000 ? output.substring(output.length() - 2000) : output;
        }
    }

    /** Runs {@code python args...} with a timeout; stdout and stderr combined. */
    public static Result run(Path python, int timeoutSeconds, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(python.toString());
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("python-oracle", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Runs and fails with the output when the exit code is not 0. */
    public static String check(Path python, int timeoutSeconds, String... args) throws IOException {
        Result r = run(python, timeoutSeconds, args);
        if (r.exitCode != 0) {
            throw new IOException("python " + String.join(" ", args) + " exited " + r.exitCode + ":\n" + r.tail());
        }
        return r.output;
    }
}
