package org.lorafoundry.trainer.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.lorafoundry.engine.data.DatasetException;
import org.lorafoundry.engine.data.HoldOut;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.platform.blob.BlobIntegrityException;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.TrainingErrorCode;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.trainer.config.TrainerConfig;

/**
 * Brings a task's inputs to local disk, verifying every byte: the base model into a cache keyed by its manifest
 * checksum (fetched once per worker, shared by later jobs on the same model), the dataset splits into the attempt's
 * work directory. A mismatch fails the attempt with the matching code rather than training on wrong bytes.
 */
@ApplicationScoped
public class InputFetcher {

    private static final Logger LOG = Logger.getLogger(InputFetcher.class);

    private final BlobStore blobs;
    private final BlobDirectories directories;
    private final Path modelCache;

    InputFetcher(BlobStore blobs, TrainerConfig config) {
        this.blobs = blobs;
        this.directories = new BlobDirectories(blobs);
        this.modelCache = config.workDir().resolve("models");
    }

    public TaskInputs fetch(TrainingTask task, Path workDir) throws TrainingFailure {
        Path model = baseModel(task.getBaseModel());
        ResolvedDataset dataset = task.getDataset();
        Path train = split(dataset.getTrain(), workDir.resolve("train.jsonl"), "training split of " + label(dataset));
        Optional<Path> validation = Optional.empty();
        if (dataset.hasValidation() && dataset.getValidation().hasBlob()) {
            validation = Optional.of(split(dataset.getValidation(), workDir.resolve("validation.jsonl"),
                    "validation split of " + label(dataset)));
        } else if (dataset.hasValidationFraction() && dataset.getValidationFraction() > 0) {
            long seed = task.getSpec().getHyperparameters().getSeed();
            validation = Optional.of(holdOut(train, dataset.getValidationFraction(), seed, workDir));
        }
        Optional<Path> reference = Optional.empty();
        if (task.hasForgettingReferenceDataset()) {
            ResolvedDataset ref = task.getForgettingReferenceDataset();
            reference = Optional.of(split(ref.getTrain(), workDir.resolve("reference.jsonl"),
                    "forgetting reference " + label(ref)));
        }
        return new TaskInputs(model, train, validation, reference);
    }

    /** The base model directory, from the cache or fetched into it (verified against the task's checksum). */
    Path baseModel(ResolvedBaseModel model) throws TrainingFailure {
        String sha256 = model.getSha256();
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_BASE_MODEL_UNREADABLE,
                    "the task names base model '" + model.getName() + "' without a valid checksum");
        }
        Path cached = modelCache.resolve(sha256);
        if (Files.isDirectory(cached)) {
            return cached;
        }
        try {
            DirectoryRef files = model.hasFiles() && model.getFiles().getFilesCount() > 0 ? model.getFiles()
                    : BlobDirectories.describe(Path.of(URI.create(model.getLocationUri())));
            if (!sha256.equals(files.getManifestSha256())) {
                throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_BASE_MODEL_CHECKSUM_MISMATCH,
                        "base model '" + model.getName() + "' at " + model.getLocationUri() + " has checksum "
                                + files.getManifestSha256() + ", but the job was accepted for " + sha256
                                + ": the files changed after registration; re-register the model (registry) and "
                                + "resubmit");
            }
            long started = System.nanoTime();
            directories.download(files.toBuilder().setManifestSha256(sha256).build(), cached);
            LOG.infof("base model %s (%s) cached in %.1f s", model.getName(), sha256.substring(0, 12),
                    (System.nanoTime() - started) / 1e9);
            return cached;
        } catch (FileAlreadyExistsException e) {
            return cached; // another attempt on this worker cached it meanwhile
        } catch (BlobIntegrityException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_BASE_MODEL_CHECKSUM_MISMATCH,
                    "base model '" + model.getName() + "': " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_BASE_MODEL_UNREADABLE,
                    "base model '" + model.getName() + "' is missing at " + model.getLocationUri() + " ("
                            + e.getFile() + ")", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_BASE_MODEL_UNREADABLE,
                    "base model '" + model.getName() + "' cannot be read from " + model.getLocationUri() + ": " + e,
                    e);
        }
    }

    private Path split(DatasetSplit split, Path target, String what) throws TrainingFailure {
        var blob = split.getBlob();
        try (InputStream in = blobs.open(new BlobRef(URI.create(blob.getUri()), blob.getSha256(), blob.getSizeBytes()));
             OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
            return target;
        } catch (BlobIntegrityException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_DATASET_CHECKSUM_MISMATCH,
                    "the " + what + " at " + blob.getUri() + " does not match its recorded checksum ("
                            + e.getMessage() + "): the blob was altered after ingestion; ingest the dataset again "
                            + "and resubmit", e);
        } catch (NoSuchFileException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_STORAGE_ERROR,
                    "the " + what + " is missing from the blob store: " + blob.getUri(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_STORAGE_ERROR,
                    "the " + what + " cannot be read from " + blob.getUri() + ": " + e, e);
        }
    }

    /**
     * Holds out {@code fraction} of the training rows as validation with the job's seed ({@link HoldOut}: the evaluator
     * picks the same rows to evaluate on).
     */
    static Path holdOut(Path train, double fraction, long seed, Path workDir) throws TrainingFailure {
        try {
            Path kept = workDir.resolve("train-kept.jsonl");
            HoldOut.Split split = HoldOut.split(train, fraction, seed, kept, workDir.resolve("validation.jsonl"));
            Files.move(kept, train, StandardCopyOption.REPLACE_EXISTING);
            return split.heldOut();
        } catch (DatasetException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_BAD_DATA, e.getMessage(), e);
        } catch (IOException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_STORAGE_ERROR,
                    "holding out the validation rows failed: " + e, e);
        }
    }

    private static String label(ResolvedDataset dataset) {
        return "dataset " + dataset.getName() + " v" + dataset.getVersion();
    }
}
