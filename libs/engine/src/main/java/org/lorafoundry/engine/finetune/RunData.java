package org.lorafoundry.engine.finetune;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.lorafoundry.engine.data.DatasetException;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.data.JsonlDataset;
import org.lorafoundry.engine.data.TrainingExample;
import org.lorafoundry.engine.finetune.FineTuneException.Code;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * A run's data, encoded with the base model's tokenizer: training examples (those with a token to learn), validation
 * and reference examples, the pad id, the sha256 of the files (a resumed run must read the same data), and the
 * truncation counts.
 *
 * <ul>
 *   <li>training and validation: {@link ExampleEncoder} rows cut at {@code maxSeqLength}; with
 *   {@code completionOnlyLoss=false} every token is learned. A training example without a label after position 0
 *   (position 0 is never predicted) is dropped and counted; none left is {@link Code#BAD_DATA}.</li>
 *   <li>reference: any row format, every token counts (its perplexity is over all tokens; the KL term over all
 *   positions anyway).</li>
 * </ul>
 */
record RunData(List<TrainingExample> train, List<TrainingExample> validation, List<TrainingExample> reference,
        long padId, DataSummary summary, String trainSha256, String referenceSha256) {

    static RunData load(FineTuneSpec spec) {
        try (HfTokenizer tokenizer = loadTokenizer(spec.baseModel())) {
            long padId = ExampleEncoder.padId(tokenizer);
            ExampleEncoder trainEncoder = new ExampleEncoder(tokenizer, spec.maxSeqLength());
            List<TrainingExample> all = encode(spec.trainData(), trainEncoder, "training", spec.completionOnlyLoss());
            List<TrainingExample> train = new ArrayList<>(all.size());
            for (TrainingExample e : all) {
                if (learnsSomething(e)) {
                    train.add(e);
                }
            }
            if (train.isEmpty()) {
                throw new FineTuneException(Code.BAD_DATA, "no training example has a token to learn: all " + all.size()
                        + " rows of " + spec.trainData() + " lost their completion / assistant tokens to truncation at"
                        + " maxSeqLength " + spec.maxSeqLength() + " (" + trainEncoder.truncatedCount() + " were"
                        + " truncated) or had none; raise maxSeqLength or shorten the prompts");
            }
            List<TrainingExample> validation = spec.validationData() == null ? List.of()
                    : encode(spec.validationData(), new ExampleEncoder(tokenizer, spec.maxSeqLength()), "validation",
                            spec.completionOnlyLoss());
            List<TrainingExample> reference = spec.referenceData() == null ? List.of()
                    : encode(spec.referenceData(), new ExampleEncoder(tokenizer, spec.maxSeqLength()), "reference",
                            false);
            DataSummary summary = new DataSummary(train.size(), trainEncoder.truncatedCount(),
                    trainEncoder.truncatedTokens(), all.size() - train.size(), validation.size(), reference.size());
            return new RunData(train, validation, reference, padId, summary, sha256(spec.trainData()),
                    spec.referenceData() == null ? "" : sha256(spec.referenceData()));
        }
    }

    private static HfTokenizer loadTokenizer(Path baseModel) {
        try {
            return HfTokenizer.load(baseModel);
        } catch (IOException | RuntimeException e) {
            throw new FineTuneException(Code.BASE_MODEL_UNREADABLE, "cannot read the tokenizer of the base model "
                    + baseModel + ": " + e.getMessage(), e);
        }
    }

    private static List<TrainingExample> encode(Path file, ExampleEncoder encoder, String role,
            boolean completionOnly) {
        List<TrainingExample> examples;
        try {
            examples = JsonlDataset.read(file).encode(encoder);
        } catch (NoSuchFileException e) {
            throw new FineTuneException(Code.BAD_DATA, "the " + role + " data " + file + " does not exist", e);
        } catch (IOException e) {
            throw new FineTuneException(Code.BAD_DATA, "cannot read the " + role + " data " + file + ": "
                    + e.getMessage(), e);
        } catch (DatasetException e) {
            throw new FineTuneException(Code.BAD_DATA, "bad " + role + " data: " + e.getMessage(), e);
        }
        if (completionOnly) {
            return examples;
        }
        List<TrainingExample> out = new ArrayList<>(examples.size());
        examples.forEach(e -> out.add(new TrainingExample(e.inputIds(), e.inputIds().clone())));
        return out;
    }

    /** A label after position 0: the loss never predicts position 0 (nor, when packed, an example's first token). */
    private static boolean learnsSomething(TrainingExample e) {
        for (int i = 1; i < e.length(); i++) {
            if (e.labels()[i] != TrainingBatch.IGNORE_INDEX) {
                return true;
            }
        }
        return false;
    }

    private static String sha256(Path file) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new FineTuneException(Code.BAD_DATA, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
