package org.lorafoundry.datasets.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lorafoundry.datasets.validation.Problem;
import org.lorafoundry.datasets.validation.ProblemCode;
import org.lorafoundry.proto.v1.DatasetFormat;

/**
 * The corpus of bad files ({@code src/test/resources/bad-files}): one file per problem code, each rejected with exactly
 * that code at the right line (0 = the whole file).
 */
class BadFileCorpusTest {

    @TempDir
    Path work;

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("not-json.jsonl", ProblemCode.NOT_JSON, 3, ""),
                Arguments.of("not-an-object.jsonl", ProblemCode.NOT_JSON, 2, ""),
                Arguments.of("missing-field.jsonl", ProblemCode.MISSING_FIELD, 4, "completion"),
                Arguments.of("wrong-type.jsonl", ProblemCode.WRONG_TYPE, 2, "messages[0].content"),
                Arguments.of("empty-content.jsonl", ProblemCode.EMPTY_CONTENT, 5, "text"),
                Arguments.of("unknown-role.jsonl", ProblemCode.UNKNOWN_ROLE, 3, "messages[1].role"),
                Arguments.of("no-assistant-turn.jsonl", ProblemCode.NO_ASSISTANT_TURN, 2, "messages"),
                Arguments.of("mixed-formats.jsonl", ProblemCode.MIXED_FORMATS, 6, ""),
                Arguments.of("bad-encoding.jsonl", ProblemCode.BAD_ENCODING, 4, ""),
                Arguments.of("line-too-long.jsonl", ProblemCode.LINE_TOO_LONG, 3, ""),
                Arguments.of("bad-role-order.jsonl", ProblemCode.BAD_ROLE_ORDER, 2, "messages[1].role"),
                Arguments.of("unknown-format.jsonl", ProblemCode.UNKNOWN_FORMAT, 1, ""),
                Arguments.of("too-few-examples.jsonl", ProblemCode.TOO_FEW_EXAMPLES, 0, ""),
                Arguments.of("duplicate-rows.jsonl", ProblemCode.DUPLICATE_ROWS, 0, ""));
    }

    @ParameterizedTest(name = "{0} -> {1} at line {2}")
    @MethodSource("corpus")
    void eachBadFileIsRejectedWithItsCodeAndLine(String file, ProblemCode code, long line, String field)
            throws IOException {
        PipelineResult result = run(settings(), DatasetInput.ofFile("file:bad-files/" + file, resource(file)), "");

        assertThat(result.accepted()).as(file).isFalse();
        assertThat(result.problems().errorCounts()).as(file).containsOnlyKeys(code);
        Problem problem = result.problems().errors().get(0);
        assertThat(problem.code()).isEqualTo(code);
        assertThat(problem.line()).isEqualTo(line);
        assertThat(problem.field()).isEqualTo(field);
        assertThat(problem.input()).isEqualTo(Problem.SOURCE);
        assertThat(problem.message()).isNotBlank();
        assertThat(result.splits()).isEmpty();
        assertThat(result.message()).startsWith("Rejected: 1 problem (" + code + " 1)");
    }

    @Test
    void duplicatesAreListedWithTheirLinesAsWarningsOfTheRejection() throws IOException {
        PipelineResult result = run(settings(), DatasetInput.ofFile("f", resource("duplicate-rows.jsonl")), "");

        assertThat(result.problems().warningCounts()).containsEntry(ProblemCode.DUPLICATE_ROWS, 22L);
        assertThat(result.problems().warnings()).extracting(Problem::line)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(22, 43).boxed().toList());
        assertThat(result.problems().warnings().get(0).message()).isEqualTo("Duplicate of line 21; removed");
        assertThat(result.problems().errors().get(0).message()).contains("22 of 43 rows are duplicates");
    }

    @Test
    void aStreamOverTheSizeLimitIsFileTooLargeAtTheLineWhereReadingStopped() {
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            rows.append("{\"text\": \"row ").append(i).append(" with some padding text\"}\n"); // 41-42 bytes per line
        }
        byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
        DatasetInput stream = DatasetInput.ofStream("upload:body", new ByteArrayInputStream(bytes), OptionalLong.empty());

        PipelineResult result = run(settings().withMaxFileSize(1000), stream, "");

        assertThat(result.problems().errorCounts()).containsOnlyKeys(ProblemCode.FILE_TOO_LARGE);
        Problem problem = result.problems().errors().get(0);
        assertThat(problem.line()).isBetween(20L, 26L); // the limit falls within these lines; reading stopped there
        assertThat(problem.message()).contains("limit of 1000 bytes");
        assertThat(result.rowsRead()).isEqualTo(problem.line() - 1); // nothing after that line was read
    }

    @Test
    void aFileOfKnownSizeOverTheLimitIsRefusedUnread() throws IOException {
        PipelineResult result = run(settings().withMaxFileSize(100),
                DatasetInput.ofFile("f", resource("not-json.jsonl")), "");

        assertThat(result.problems().errors()).singleElement().satisfies(problem -> {
            assertThat(problem.code()).isEqualTo(ProblemCode.FILE_TOO_LARGE);
            assertThat(problem.line()).isZero();
        });
        assertThat(result.rowsRead()).isZero();
    }

    @Test
    void aSourceWhoseChecksumDiffersIsChecksumMismatch() throws IOException {
        PipelineResult result = run(settings(), DatasetInput.ofFile("f", resource("too-few-examples.jsonl")),
                "0".repeat(64));

        assertThat(result.problems().errorCounts()).containsKey(ProblemCode.CHECKSUM_MISMATCH);
        assertThat(result.problems().errors()).filteredOn(p -> p.code() == ProblemCode.CHECKSUM_MISMATCH)
                .singleElement().satisfies(p -> assertThat(p.line()).isZero());
    }

    @Test
    void aSourceThatFailsWhileReadingIsSourceUnreadableWithTheLine() {
        InputStream failing = new InputStream() {
            private final byte[] first = "{\"text\": \"one\"}\n{\"text\": \"two\"}\n".getBytes(StandardCharsets.UTF_8);
            private int position;

            @Override
            public int read() throws IOException {
                if (position < first.length) {
                    return first[position++];
                }
                throw new IOException("connection reset");
            }
        };
        PipelineResult result = run(settings(), DatasetInput.ofStream("upload:x", failing, OptionalLong.empty()), "");

        assertThat(result.problems().errors()).singleElement().satisfies(problem -> {
            assertThat(problem.code()).isEqualTo(ProblemCode.SOURCE_UNREADABLE);
            assertThat(problem.message()).contains("connection reset");
        });
    }

    @Test
    void theFirstProblemsAreListedInFullAndTheRestCounted() {
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 250; i++) {
            rows.append(i % 2 == 0 ? "{\"text\": 7}\n" : "not json\n");
        }
        DatasetInput input = DatasetInput.ofStream("upload:x",
                new ByteArrayInputStream(rows.toString().getBytes(StandardCharsets.UTF_8)), OptionalLong.empty());

        PipelineResult result = run(settings(), input, "");

        assertThat(result.problems().errors()).hasSize(100);
        assertThat(result.problems().errors()).extracting(Problem::line).isSorted().startsWith(1L, 2L, 3L).endsWith(100L);
        assertThat(result.problems().errorCounts()).containsEntry(ProblemCode.NOT_JSON, 125L)
                .containsEntry(ProblemCode.WRONG_TYPE, 125L);
        assertThat(result.rowsRead()).isEqualTo(250);
    }

    @Test
    void aFormatHintThatTheRowsDoNotMatchIsMixedFormats() throws IOException {
        IngestRequest request = new IngestRequest(DatasetInput.ofFile("f", resource("too-few-examples.jsonl")), null, 0.1,
                1, DatasetFormat.DATASET_FORMAT_CHAT_MESSAGES, "", "");

        PipelineResult result = new IngestPipeline(settings()).run(request, work);

        assertThat(result.problems().errors()).extracting(Problem::code, Problem::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ProblemCode.MIXED_FORMATS, 1L),
                        org.assertj.core.groups.Tuple.tuple(ProblemCode.MIXED_FORMATS, 2L),
                        org.assertj.core.groups.Tuple.tuple(ProblemCode.MIXED_FORMATS, 3L));
        assertThat(result.problems().errors().get(0).message()).contains("(format hint)");
    }

    static IngestSettings settings() {
        return IngestSettings.defaults().withMaxLineLength(1000);
    }

    private PipelineResult run(IngestSettings settings, DatasetInput input, String expectedSha256) {
        try {
            return new IngestPipeline(settings).run(new IngestRequest(input, null, 0.1, 7,
                    DatasetFormat.DATASET_FORMAT_UNSPECIFIED, expectedSha256, ""), work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path resource(String file) {
        try {
            return Path.of(BadFileCorpusTest.class.getResource("/bad-files/" + file).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
