package org.lorafoundry.trainer.service;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The verified local copies an attempt trains from.
 *
 * @param baseModel  the base model directory (from the checksum-keyed cache)
 * @param train      training rows (JSONL)
 * @param validation validation rows, when the dataset has a split or a fraction was held out
 * @param reference  general text for the forgetting-aware KL term, when the job asks for it
 */
public record TaskInputs(Path baseModel, Path train, Optional<Path> validation, Optional<Path> reference) {
}
