package org.lorafoundry.evaluator.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.evaluator.domain.BaselinePlan;
import org.lorafoundry.evaluator.model.BaselineModel;
import org.lorafoundry.evaluator.model.EvaluationData;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.evaluator.model.ReferenceData;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.platform.blob.BlobIntegrityException;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.TrainingTask;

/**
 * Brings an evaluation's inputs to its local work directory, verifying every byte against the checksums in the
 * events (DESIGN.md: every reader verifies). What fails is reported with the code of the input it concerns:
 * <ul>
 *   <li>candidate adapter: ADAPTER_CHECKSUM_MISMATCH for altered bytes, ADAPTER_UNREADABLE for missing files;</li>
 *   <li>base model: BASE_MODEL_UNREADABLE (missing, or its manifest checksum differs from the task's);</li>
 *   <li>evaluation and reference data: DATASET_UNREADABLE;</li>
 *   <li>the baseline adapter: BASELINE_UNAVAILABLE.</li>
 * </ul>
 * Which data: the evaluation dataset's validation split (else its train split) when the job names one; otherwise the
 * job's validation split, or, when validation was carved out of train, the train split with the fraction the engine
 * holds out. The forgetting check reads the job's reference dataset (validation split, else train) or the platform's
 * default reference text. A base model in a local directory is verified in place rather than copied (models are big).
 */
@ApplicationScoped
public class InputStager {

    private final BlobDirectories directories;
    private final DefaultReferenceText defaultReference;

    InputStager(BlobStore blobs, DefaultReferenceText defaultReference) {
        this.directories = new BlobDirectories(blobs);
        this.defaultReference = defaultReference;
    }

    public StagedInputs stage(TrainingSucceeded training, BaselinePlan baseline, Path workDir) throws EvaluationException {
        TrainingTask task = training.getTask();
        Path candidate = directory(training.getAdapter(), workDir.resolve("candidate-adapter"), "the adapter of job "
                + training.getJobId(), EvaluationErrorCode.EVALUATION_ERROR_CODE_ADAPTER_UNREADABLE,
                EvaluationErrorCode.EVALUATION_ERROR_CODE_ADAPTER_CHECKSUM_MISMATCH,
                "the adapter in the blob store is not the one training produced; run the job again");
        Path baseModel = baseModel(task.getBaseModel(), workDir.resolve("base-model"));
        BaselineModel baselineModel = baselineModel(baseline, workDir.resolve("baseline-adapter"));
        EvaluationData data = evaluationData(task, training, workDir);
        ReferenceData reference = referenceData(task, workDir);
        return new StagedInputs(baseModel, candidate, baselineModel, data, reference);
    }

    private BaselineModel baselineModel(BaselinePlan baseline, Path target) throws EvaluationException {
        return switch (baseline.baseline().getKind()) {
            case BASELINE_KIND_NONE -> new BaselineModel.None();
            case BASELINE_KIND_PRODUCTION_ADAPTER -> {
                EvaluationErrorCode unavailable = EvaluationErrorCode.EVALUATION_ERROR_CODE_BASELINE_UNAVAILABLE;
                yield new BaselineModel.Adapter(directory(baseline.artifact().orElseThrow(), target, "the baseline "
                        + baseline.baseline().getDescription(), unavailable, unavailable,
                        "fix or move the '" + baseline.baseline().getAlias() + "' alias in the registry, or set "
                                + "gate_policy.baseline_mode to BASELINE_MODE_BASE_MODEL"));
            }
            default -> new BaselineModel.BaseModel();
        };
    }

    private Path baseModel(ResolvedBaseModel model, Path target) throws EvaluationException {
        EvaluationErrorCode unreadable = EvaluationErrorCode.EVALUATION_ERROR_CODE_BASE_MODEL_UNREADABLE;
        String what = "base model " + model.getName();
        Optional<Path> local = localDirectory(model.getLocationUri());
        if (local.isPresent()) {
            DirectoryRef actual;
            try {
                actual = BlobDirectories.describe(local.get());
            } catch (IOException e) {
                throw new EvaluationException(unreadable, what + " at " + model.getLocationUri() + " cannot be read: " + e);
            }
            if (actual.getFilesCount() == 0) {
                throw new EvaluationException(unreadable, what + " at " + model.getLocationUri() + " has no files");
            }
            if (!model.getSha256().isEmpty() && !model.getSha256().equals(actual.getManifestSha256())) {
                throw new EvaluationException(unreadable, what + " at " + model.getLocationUri() + " has manifest sha256 "
                        + actual.getManifestSha256() + " but the task expects " + model.getSha256()
                        + ": the model directory changed since it was registered; restore it or register it again");
            }
            return local.get();
        }
        if (model.getFiles().getFilesCount() > 0) {
            Path copied = directory(model.getFiles(), target, what, unreadable, unreadable,
                    "restore the base model's files or register it again");
            if (!model.getSha256().isEmpty() && !model.getSha256().equals(model.getFiles().getManifestSha256())) {
                throw new EvaluationException(unreadable, what + ": its files' manifest " + model.getFiles()
                        .getManifestSha256() + " is not the task's checksum " + model.getSha256());
            }
            return copied;
        }
        throw new EvaluationException(unreadable, what + ": location '" + model.getLocationUri()
                + "' is not a readable directory and the task lists none of its files");
    }

    private EvaluationData evaluationData(TrainingTask task, TrainingSucceeded training, Path workDir)
            throws EvaluationException {
        ResolvedDataset dataset = task.hasEvaluationDataset() ? task.getEvaluationDataset() : task.getDataset();
        OptionalDouble holdOut = OptionalDouble.empty();
        DatasetSplit split;
        if (hasBlob(dataset.getValidation())) {
            split = dataset.getValidation();
        } else if (task.hasEvaluationDataset() && hasBlob(dataset.getTrain())) {
            split = dataset.getTrain(); // a dedicated evaluation set without a validation split: all of it
        } else if (dataset.hasValidationFraction() && hasBlob(dataset.getTrain())) {
            split = dataset.getTrain();
            holdOut = OptionalDouble.of(dataset.getValidationFraction());
        } else {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE, "job "
                    + training.getJobId() + " names no evaluation data: dataset " + describe(dataset, "")
                    + " has no validation split and no validation_fraction; give the job spec.evaluation.eval_dataset");
        }
        Path file = file(split.getBlob(), workDir.resolve("evaluation.jsonl"), "evaluation data "
                + describe(dataset, splitName(split, "validation")));
        return new EvaluationData(file, dataset.getFormat(), dataset.getHasLabels() ? dataset.getLabelValuesList()
                : List.of(), holdOut);
    }

    private ReferenceData referenceData(TrainingTask task, Path workDir) throws EvaluationException {
        Path target = workDir.resolve("reference.jsonl");
        if (!task.hasEvaluationReferenceDataset()) {
            try {
                defaultReference.copyTo(target);
            } catch (IOException e) {
                throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_INTERNAL,
                        "cannot write the default reference text to " + target + ": " + e);
            }
            return new ReferenceData(target, DatasetFormat.DATASET_FORMAT_TEXT, DefaultReferenceText.DESCRIPTION);
        }
        ResolvedDataset dataset = task.getEvaluationReferenceDataset();
        DatasetSplit split = hasBlob(dataset.getValidation()) ? dataset.getValidation() : dataset.getTrain();
        if (!hasBlob(split)) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE,
                    "reference dataset " + describe(dataset, "") + " has no stored split");
        }
        String description = describe(dataset, splitName(split, "train"));
        Path file = file(split.getBlob(), target, "reference data " + description);
        DatasetFormat format = dataset.getFormat() == DatasetFormat.DATASET_FORMAT_UNSPECIFIED
                ? DatasetFormat.DATASET_FORMAT_TEXT : dataset.getFormat();
        return new ReferenceData(file, format, description);
    }

    /** Copies a directory, verifying every file and the manifest; failures carry the input's codes. */
    private Path directory(DirectoryRef directory, Path target, String what, EvaluationErrorCode unreadable,
            EvaluationErrorCode mismatch, String advice) throws EvaluationException {
        if (directory.getFilesCount() == 0) {
            throw new EvaluationException(unreadable, what + " lists no files (" + directory.getUri() + ")");
        }
        try {
            directories.download(directory, target);
            return target;
        } catch (BlobIntegrityException e) {
            throw new EvaluationException(mismatch, what + ": checksum mismatch, " + e.getMessage() + "; " + advice);
        } catch (NoSuchFileException e) {
            throw new EvaluationException(unreadable, what + ": file missing from the blob store (" + e.getMessage()
                    + "); " + advice);
        } catch (IOException | IllegalArgumentException e) {
            throw new EvaluationException(unreadable, what + " cannot be read from " + directory.getUri() + ": " + e);
        }
    }

    /** Copies one blob, verifying size and checksum; failures are DATASET_UNREADABLE (only data is a single blob). */
    private Path file(BlobRef blob, Path target, String what) throws EvaluationException {
        EvaluationErrorCode unreadable = EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE;
        try {
            Files.createDirectories(target.getParent());
            try (InputStream in = directories.open(blob); OutputStream out = Files.newOutputStream(target)) {
                in.transferTo(out); // the verifying stream throws at its end on a size or checksum mismatch
            }
            return target;
        } catch (BlobIntegrityException e) {
            throw new EvaluationException(unreadable, what + ": checksum mismatch, " + e.getMessage()
                    + "; the stored dataset is damaged, ingest it again");
        } catch (NoSuchFileException e) {
            throw new EvaluationException(unreadable, what + ": missing from the blob store (" + blob.getUri() + ")");
        } catch (IOException | IllegalArgumentException e) {
            throw new EvaluationException(unreadable, what + " cannot be read from " + blob.getUri() + ": " + e);
        }
    }

    private static Optional<Path> localDirectory(String location) {
        if (location.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(location);
            if (!"file".equals(uri.getScheme())) {
                return Optional.empty();
            }
            Path path = Path.of(uri);
            return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean hasBlob(DatasetSplit split) {
        return split.hasBlob() && !split.getBlob().getUri().isEmpty();
    }

    private static String splitName(DatasetSplit split, String fallback) {
        return split.getName().isEmpty() ? fallback : split.getName();
    }

    private static String describe(ResolvedDataset dataset, String split) {
        String name = dataset.getName().isEmpty() ? dataset.getDatasetId() : dataset.getName() + " v" + dataset.getVersion();
        return split.isEmpty() ? name : name + " (" + split + ")";
    }
}
