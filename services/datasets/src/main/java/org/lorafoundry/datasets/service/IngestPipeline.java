package org.lorafoundry.datasets.service;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import org.lorafoundry.datasets.validation.LineReader;
import org.lorafoundry.datasets.validation.Problem;
import org.lorafoundry.datasets.validation.ProblemCode;
import org.lorafoundry.datasets.validation.ProblemCollector;
import org.lorafoundry.datasets.validation.RowValidator;
import org.lorafoundry.datasets.validation.Utf8;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetStatistics;

/**
 * Turns JSONL inputs into normalised, deduplicated, split JSONL files with statistics, or into a report of what is
 * wrong — streaming, with memory that does not grow with the input (apart from one bit per row and the bounded
 * partitions of duplicate detection). Plain Java; the caller gives it a work directory and deletes it afterwards.
 *
 * <ol>
 * <li>Pass 1, per input: read line by line ({@link LineReader}), check UTF-8, validate and normalise each row
 * ({@link RowValidator}); while no error has been seen, append the normalised row and its index record
 * ({@link RowSink}). After the first error the rest is only validated, for the report.</li>
 * <li>Duplicates: {@link Deduplicator} over the index file; duplicates are removed and listed as warnings, too many of
 * them reject the dataset.</li>
 * <li>Pass 2: stream the kept rows into {@code train.jsonl} / {@code validation.jsonl} (the {@link SplitRule}), digest
 * them, and count statistics.</li>
 * </ol>
 */
public final class IngestPipeline {

    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";

    private final IngestSettings settings;

    public IngestPipeline(IngestSettings settings) {
        this.settings = settings;
    }

    public PipelineResult run(IngestRequest request, Path work) throws IOException {
        ProblemCollector problems = new ProblemCollector(settings.maxProblemsListed());
        RowValidator validator = new RowValidator(request.formatHint());
        Set<String> labels = new LinkedHashSet<>();
        long rowsRead;
        Scan source;
        long sourceRows;
        try (RowSink sink = new RowSink(work)) {
            source = scan(request.source(), Problem.SOURCE, validator, sink, problems, labels);
            sourceRows = sink.count();
            rowsRead = source.rows;
            if (!request.expectedSourceSha256().isEmpty() && !source.sha256.isEmpty()
                    && !request.expectedSourceSha256().equalsIgnoreCase(source.sha256)) {
                problems.error(Problem.ofFile(ProblemCode.CHECKSUM_MISMATCH, "The source's SHA-256 is " + source.sha256
                        + ", not the expected " + request.expectedSourceSha256(), Problem.SOURCE));
            }
            if (request.validation() != null) {
                Scan validation = scan(request.validation(), Problem.VALIDATION, validator, sink, problems, labels);
                rowsRead += validation.rows;
            }
            if (!problems.hasErrors() && request.validation() != null && sink.count() == sourceRows) {
                problems.error(Problem.ofFile(ProblemCode.TOO_FEW_EXAMPLES, "The validation file has no rows",
                        Problem.VALIDATION));
            }
            if (!problems.hasErrors() && sink.count() == 0) {
                problems.error(Problem.ofFile(ProblemCode.TOO_FEW_EXAMPLES, "The source has no rows (at least "
                        + settings.minExamples() + " are needed)", Problem.SOURCE));
            }
        }
        if (problems.hasErrors()) {
            return rejected(problems, rowsRead, source, validator);
        }
        long rows = Files.size(work.resolve("rows.index")) / RowSink.RECORD_BYTES;
        boolean separate = request.validation() != null;
        SplitRule rule = new SplitRule(sourceRows, separate, separate ? 0 : request.validationFraction(), request.seed());
        Deduplicator.Outcome dedup = new Deduplicator(settings.dedupPartitionRows(), settings.maxProblemsListed())
                .run(work.resolve("rows.index"), rows, rule, work);
        reportDuplicates(dedup, sourceRows, problems);
        long kept = rows - dedup.duplicateCount();
        long trainRows = kept - dedup.validationRows();
        if (rows > 0 && (double) dedup.duplicateCount() / rows > settings.maxDuplicateFraction()) {
            problems.error(Problem.ofFile(ProblemCode.DUPLICATE_ROWS, dedup.duplicateCount() + " of " + rows
                    + " rows are duplicates (more than " + percent(settings.maxDuplicateFraction()) + ")", Problem.SOURCE));
        }
        if (trainRows < settings.minExamples()) {
            problems.error(Problem.ofFile(ProblemCode.TOO_FEW_EXAMPLES, trainRows + " training rows after removing "
                    + dedup.duplicateCount() + " duplicates and holding out " + dedup.validationRows()
                    + " for validation; at least " + settings.minExamples() + " are needed", Problem.SOURCE));
        }
        if (rule.wantsValidation() && dedup.validationRows() < settings.minValidationExamples()) {
            problems.error(Problem.ofFile(ProblemCode.TOO_FEW_EXAMPLES, dedup.validationRows() + " validation rows; at "
                    + "least " + settings.minValidationExamples() + " are needed",
                    separate ? Problem.VALIDATION : Problem.SOURCE));
        }
        if (problems.hasErrors()) {
            return rejected(problems, rowsRead, source, validator);
        }
        if (!request.baseModel().isEmpty()) {
            problems.warning(Problem.ofFile(ProblemCode.TOKENS_NOT_COUNTED, "Base model '" + request.baseModel()
                    + "' given, but token statistics need the engine's tokenizer (not available yet): only characters "
                    + "are counted", Problem.SOURCE));
        }
        return write(work, rows, rule, dedup, problems, rowsRead, source, validator, labels);
    }

    private PipelineResult write(Path work, long rows, SplitRule rule, Deduplicator.Outcome dedup,
            ProblemCollector problems, long rowsRead, Scan source, RowValidator validator, Set<String> labels)
            throws IOException {
        LengthStatistics lengths = new LengthStatistics();
        SplitOut train = new SplitOut(TRAIN, work.resolve("train.jsonl"));
        SplitOut validation = rule.wantsValidation() ? new SplitOut(VALIDATION, work.resolve("validation.jsonl")) : null;
        byte[] row = new byte[8192];
        try (train; DataInputStream index = input(work.resolve("rows.index"));
             InputStream rowsIn = new BufferedInputStream(Files.newInputStream(work.resolve("rows.jsonl")), 1 << 16)) {
            for (long i = 0; i < rows; i++) {
                long h1 = index.readLong();
                long h2 = index.readLong();
                index.readLong(); // line
                int characters = index.readInt();
                int length = index.readInt() + 1; // with its '\n'
                if (row.length < length) {
                    row = Arrays.copyOf(row, Math.max(length, row.length * 2));
                }
                if (rowsIn.readNBytes(row, 0, length) != length) {
                    throw new IOException("rows.jsonl ends before row " + i);
                }
                if (dedup.duplicates().get((int) i)) {
                    continue;
                }
                boolean held = rule.isValidation(i, h1, h2) || i == dedup.fallbackRow();
                (held ? validation : train).write(row, length);
                lengths.add(characters);
            }
        } finally {
            if (validation != null) {
                validation.close();
            }
        }
        Files.deleteIfExists(work.resolve("rows.jsonl"));
        Files.deleteIfExists(work.resolve("rows.index"));
        List<PreparedSplit> splits = new ArrayList<>();
        splits.add(train.prepared());
        if (validation != null) {
            splits.add(validation.prepared());
        }
        StringBuilder identity = new StringBuilder();
        splits.forEach(split -> identity.append(split.name()).append(' ').append(split.sha256()).append('\n'));
        DatasetStatistics statistics = DatasetStatistics.newBuilder()
                .setRows(lengths.rows())
                .setCharacters(lengths.total())
                .setTokens(0)
                .setTokenizer("")
                .setDuplicatesRemoved(dedup.duplicateCount())
                .setRowsRead(rowsRead)
                .setLengthHistogram(lengths.histogram("characters"))
                .build();
        String message = lengths.rows() + " rows (" + splits.stream().map(s -> s.name() + " " + s.rows())
                .collect(Collectors.joining(", ")) + ")" + (dedup.duplicateCount() > 0
                        ? ", " + dedup.duplicateCount() + " duplicate rows removed" : "");
        return new PipelineResult(true, message, problems, rowsRead, source.bytes, source.sha256, validator.format(),
                validator.labelled(), List.copyOf(labels), List.copyOf(splits), statistics,
                hex(sha256().digest(identity.toString().getBytes(StandardCharsets.UTF_8))));
    }

    private void reportDuplicates(Deduplicator.Outcome dedup, long sourceRows, ProblemCollector problems) {
        problems.countWarnings(ProblemCode.DUPLICATE_ROWS, dedup.duplicateCount());
        for (long[] sample : dedup.samples()) {
            boolean inValidation = sample[0] >= sourceRows;
            boolean firstInValidation = sample[1] >= sourceRows;
            String of = inValidation && !firstInValidation ? "source line " + sample[3] + " (removed from validation)"
                    : "line " + sample[3];
            problems.listWarning(new Problem(sample[2], ProblemCode.DUPLICATE_ROWS, "Duplicate of " + of + "; removed",
                    "", inValidation ? Problem.VALIDATION : Problem.SOURCE));
        }
    }

    private Scan scan(DatasetInput input, String name, RowValidator validator, RowSink sink, ProblemCollector problems,
            Set<String> labels) {
        Scan scan = new Scan();
        OptionalLong size = input.size();
        long limit = settings.maxFileSizeBytes();
        if (size.isPresent() && size.getAsLong() > limit) {
            problems.error(Problem.ofFile(ProblemCode.FILE_TOO_LARGE, "The " + name + " has " + size.getAsLong()
                    + " bytes; the limit is " + limit, name));
            scan.bytes = size.getAsLong();
            return scan;
        }
        MessageDigest digest = sha256();
        LineReader reader = null;
        try (InputStream in = new DigestInputStream(input.open(), digest)) {
            reader = new LineReader(in, settings.maxLineLengthBytes(), limit);
            while (reader.next()) {
                long line = reader.lineNumber();
                if (reader.tooLong()) {
                    scan.rows++;
                    problems.error(new Problem(line, ProblemCode.LINE_TOO_LONG, "The line is longer than "
                            + settings.maxLineLengthBytes() + " bytes", "", name));
                    continue;
                }
                byte[] bytes = reader.bytes();
                int length = reader.length();
                if (blank(bytes, length)) {
                    continue;
                }
                scan.rows++;
                int malformed = Utf8.firstMalformed(bytes, 0, length);
                if (malformed >= 0) {
                    problems.error(new Problem(line, ProblemCode.BAD_ENCODING, String.format(
                            "Not valid UTF-8: byte %d of the line (0x%02x) starts a malformed sequence", malformed + 1,
                            bytes[malformed] & 0xff), "", name));
                    continue;
                }
                if (!validator.validate(line, bytes, length, name, problems)) {
                    continue;
                }
                long characters = validator.characters();
                if (characters > settings.warnExampleCharacters()) {
                    problems.warning(new Problem(line, ProblemCode.LONG_EXAMPLE, "The example has " + characters
                            + " characters (warning above " + settings.warnExampleCharacters() + "); it may not fit the "
                            + "base model's context", "", name));
                }
                if (validator.label() != null && labels.size() < settings.maxLabelValues()) {
                    labels.add(validator.label());
                }
                if (!problems.hasErrors()) {
                    if (sink.full()) {
                        problems.error(new Problem(line, ProblemCode.FILE_TOO_LARGE, "More than " + RowSink.MAX_ROWS
                                + " rows", "", name));
                        continue;
                    }
                    try {
                        sink.add(validator.normalised(), validator.normalisedLength(), line, characters);
                    } catch (IOException e) {
                        // The work directory, not the source, failed: a service problem, not the data's.
                        throw new UncheckedIOException("Cannot write the work directory", e);
                    }
                }
            }
            scan.bytes = reader.bytesRead();
            if (reader.sizeExceeded()) {
                problems.error(new Problem(reader.lineNumber(), ProblemCode.FILE_TOO_LARGE, "The " + name
                        + " is larger than the limit of " + limit + " bytes (reading stopped at line "
                        + reader.lineNumber() + ")", "", name));
            } else {
                scan.sha256 = hex(digest.digest());
            }
        } catch (IOException e) {
            long line = reader == null ? 0 : reader.lineNumber() + 1;
            problems.error(new Problem(reader == null ? 0 : line, ProblemCode.SOURCE_UNREADABLE, "Cannot read the "
                    + name + (reader == null ? "" : " at line " + line) + ": " + e.getMessage(), "", name));
            scan.sha256 = "";
        }
        return scan;
    }

    private PipelineResult rejected(ProblemCollector problems, long rowsRead, Scan source, RowValidator validator) {
        Map<ProblemCode, Long> counts = problems.errorCounts();
        String summary = counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        List<Problem> listed = problems.errors();
        Problem first = listed.isEmpty() ? null : listed.get(0);
        String message = "Rejected: " + problems.errorCount() + " problem" + (problems.errorCount() == 1 ? "" : "s")
                + " (" + summary + ")" + (first == null ? "" : "; first: " + (first.line() > 0
                        ? first.input() + " line " + first.line() + ": " : "") + first.message());
        return new PipelineResult(false, message, problems, rowsRead, source.bytes, source.sha256, validator.format(),
                validator.labelled(), List.of(), List.of(), DatasetStatistics.getDefaultInstance(), "");
    }

    private static boolean blank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String percent(double fraction) {
        return Math.round(fraction * 1000) / 10.0 + "%";
    }

    private static DataInputStream input(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** What pass 1 saw of one input. */
    private static final class Scan {
        long rows;
        long bytes;
        String sha256 = "";
    }

    /** One split being written: digested while written. */
    private static final class SplitOut implements AutoCloseable {
        final String name;
        final Path file;
        final MessageDigest digest = sha256();
        final OutputStream out;
        long rows;
        long bytes;
        boolean closed;

        SplitOut(String name, Path file) throws IOException {
            this.name = name;
            this.file = file;
            this.out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), digest);
        }

        void write(byte[] row, int length) throws IOException {
            out.write(row, 0, length);
            rows++;
            bytes += length;
        }

        PreparedSplit prepared() {
            return new PreparedSplit(name, file, hex(digest.digest()), bytes, rows);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                out.close();
            }
        }
    }
}
