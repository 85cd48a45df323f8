package org.lorafoundry.evaluator.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The platform's default reference set for the forgetting check, used when a job names none: general English-like
 * prose written for this project (no third-party text), one {@code {"text": ...}} row per line, shipped in the
 * evaluator's resources ({@value #RESOURCE}).
 */
@ApplicationScoped
public class DefaultReferenceText {

    public static final String RESOURCE = "reference/general-text.jsonl";
    public static final String DESCRIPTION = "platform default reference text (" + RESOURCE + ")";

    public void copyTo(Path target) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        try (InputStream in = DefaultReferenceText.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + RESOURCE + " is missing from the evaluator");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
