package org.lorafoundry.datasets.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.datasets.validation.Problem;
import org.lorafoundry.datasets.validation.ProblemCode;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.HistogramBucket;

/** The accepting side of the pipeline: normalisation, duplicates, the seeded split, statistics. */
class IngestPipelineTest {

    @TempDir
    Path temp;

    @Test
    void rowsAreNormalisedDeduplicatedSplitAndCounted() throws IOException {
        StringBuilder body = new StringBuilder("\uFEFF"); // a byte order mark is tolerated
        for (int i = 0; i < 200; i++) {
            body.append("{\"id\": ").append(i).append(", \"completion\": \" answer ").append(i)
                    .append("\",  \"prompt\": \"question ").append(i).append("?\"}\r\n");
        }
        body.append("{\"prompt\": \"question 7?\", \"completion\": \" answer 7\"}\n"); // duplicate of line 8 once normalised
        body.append("\n   \n"); // blank lines are skipped

        PipelineResult result = run(body.toString(), 0.1, 42, IngestSettings.defaults());

        assertThat(result.accepted()).as(result.message()).isTrue();
        assertThat(result.format()).isEqualTo(DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION);
        assertThat(result.rowsRead()).isEqualTo(201);
        assertThat(result.statistics().getRows()).isEqualTo(200);
        assertThat(result.statistics().getDuplicatesRemoved()).isEqualTo(1);
        assertThat(result.problems().warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.code()).isEqualTo(ProblemCode.DUPLICATE_ROWS);
            assertThat(warning.line()).isEqualTo(201);
            assertThat(warning.message()).contains("line 8");
        });
        List<String> train = Files.readAllLines(split(result, "train").file());
        List<String> validation = Files.readAllLines(split(result, "validation").file());
        assertThat(train.size() + validation.size()).isEqualTo(200);
        assertThat(validation.size()).isBetween(8, 35); // ~10% of 200, chosen by hash
        assertThat(train).contains("{\"prompt\":\"question 0?\",\"completion\":\" answer 0\"}");
        assertThat(split(result, "train").rows()).isEqualTo(train.size());
        assertThat(result.statistics().getCharacters()).isEqualTo(charactersOf(200));
        assertThat(result.statistics().getLengthHistogram().getUnit()).isEqualTo("characters");
        assertThat(result.statistics().getLengthHistogram().getBucketsList()).extracting(HistogramBucket::getCount)
                .containsExactly(200L); // every row has 17-25 characters: bucket [0, 32)
        assertThat(result.statistics().getTokens()).isZero();
        assertThat(result.statistics().getTokenizer()).isEmpty();
        assertThat(result.contentSha256()).hasSize(64);
    }

    @Test
    void theSplitDependsOnlyOnContentAndSeed() throws IOException {
        StringBuilder forward = new StringBuilder();
        StringBuilder backward = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            forward.append("{\"text\": \"row ").append(i).append("\"}\n");
            backward.insert(0, "{\"text\": \"row " + i + "\"}\n");
        }
        PipelineResult first = run(forward.toString(), 0.2, 7, IngestSettings.defaults());
        PipelineResult again = run(forward.toString(), 0.2, 7, IngestSettings.defaults());
        PipelineResult reversed = run(backward.toString(), 0.2, 7, IngestSettings.defaults());
        PipelineResult otherSeed = run(forward.toString(), 0.2, 8, IngestSettings.defaults());

        assertThat(again.contentSha256()).isEqualTo(first.contentSha256());
        assertThat(set(split(reversed, "validation").file())).isEqualTo(set(split(first, "validation").file()));
        assertThat(set(split(otherSeed, "validation").file())).isNotEqualTo(set(split(first, "validation").file()));
        assertThat(otherSeed.contentSha256()).isNotEqualTo(first.contentSha256());
    }

    @Test
    void partitionedDuplicateDetectionFindsTheSameDuplicatesAsOnePartition() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            body.append("{\"text\": \"row ").append(i % 320).append("\"}\n"); // rows 320..499 repeat 0..179
        }
        PipelineResult single = run(body.toString(), 0.1, 3, IngestSettings.defaults());
        PipelineResult partitioned = run(body.toString(), 0.1, 3, IngestSettings.defaults().withDedupPartitionRows(37));

        assertThat(single.statistics().getDuplicatesRemoved()).isEqualTo(180);
        assertThat(partitioned.statistics().getDuplicatesRemoved()).isEqualTo(180);
        assertThat(partitioned.contentSha256()).isEqualTo(single.contentSha256());
        assertThat(partitioned.problems().warnings()).extracting(Problem::line).first().isEqualTo(321L);
        assertThat(partitioned.problems().warnings()).hasSize(100).extracting(Problem::line).isSorted();
    }

    @Test
    void aSeparateValidationFileIsTheValidationSplitWithoutRowsLeakedFromTraining() throws IOException {
        StringBuilder train = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            train.append("{\"messages\": [{\"role\": \"user\", \"content\": \"hi ").append(i)
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"hello\", \"weight\": 1}], \"label\": \"greet\"}\n");
        }
        String held = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi 3\"}, {\"role\": \"assistant\", "
                + "\"content\": \"hello\", \"weight\": 1}], \"label\": \"greet\"}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"bye\"}, {\"role\": \"assistant\", "
                + "\"content\": \"see you\"}], \"label\": \"farewell\"}\n";
        IngestRequest request = new IngestRequest(stream(train.toString()), stream(held), 0.3, 1,
                DatasetFormat.DATASET_FORMAT_UNSPECIFIED, "", "");

        PipelineResult result = new IngestPipeline(IngestSettings.defaults()).run(request, Files.createTempDirectory(temp, "w"));

        assertThat(result.accepted()).as(result.message()).isTrue();
        assertThat(result.format()).isEqualTo(DatasetFormat.DATASET_FORMAT_CHAT_MESSAGES);
        assertThat(result.labelled()).isTrue();
        assertThat(result.labelValues()).containsExactly("greet", "farewell");
        assertThat(split(result, "train").rows()).isEqualTo(20);
        assertThat(split(result, "validation").rows()).isEqualTo(1);
        assertThat(result.problems().warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.input()).isEqualTo(Problem.VALIDATION);
            assertThat(warning.line()).isEqualTo(1);
            assertThat(warning.message()).contains("source line 4").contains("removed from validation");
        });
        assertThat(Files.readAllLines(split(result, "validation").file())).containsExactly(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"bye\"},{\"role\":\"assistant\",\"content\":\"see you\"}],"
                        + "\"label\":\"farewell\"}");
    }

    @Test
    void aFractionSplitThatWouldHoldOutNothingHoldsOutOneRow() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            body.append("{\"text\": \"row ").append(i).append("\"}\n");
        }
        PipelineResult result = run(body.toString(), 0.0001, 5, IngestSettings.defaults());

        assertThat(result.accepted()).as(result.message()).isTrue();
        assertThat(split(result, "validation").rows()).isEqualTo(1);
        assertThat(split(result, "train").rows()).isEqualTo(11);
    }

    @Test
    void noValidationFractionMeansOnlyATrainSplit() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            body.append("{\"text\": \"row ").append(i).append("\"}\n");
        }
        PipelineResult result = run(body.toString(), 0, 5, IngestSettings.defaults());

        assertThat(result.splits()).extracting(PreparedSplit::name).containsExactly("train");
    }

    @Test
    void longExamplesAndANamedBaseModelAreWarningsNotRejections() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            body.append("{\"text\": \"").append(i == 4 ? "y".repeat(500) : "row " + i).append("\"}\n");
        }
        IngestRequest request = new IngestRequest(stream(body.toString()), null, 0.1, 1,
                DatasetFormat.DATASET_FORMAT_UNSPECIFIED, "", "tiny-llama");

        PipelineResult result = new IngestPipeline(IngestSettings.defaults().withWarnExampleCharacters(100))
                .run(request, Files.createTempDirectory(temp, "w"));

        assertThat(result.accepted()).isTrue();
        assertThat(result.problems().warnings()).extracting(Problem::code, Problem::line).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ProblemCode.TOKENS_NOT_COUNTED, 0L),
                org.assertj.core.groups.Tuple.tuple(ProblemCode.LONG_EXAMPLE, 5L));
        assertThat(result.statistics().getLengthHistogram().getMax()).isEqualTo(500);
        assertThat(result.statistics().getLengthHistogram().getP95()).isEqualTo(500);
    }

    private PipelineResult run(String body, double fraction, long seed, IngestSettings settings) throws IOException {
        IngestRequest request = new IngestRequest(stream(body), null, fraction, seed,
                DatasetFormat.DATASET_FORMAT_UNSPECIFIED, "", "");
        return new IngestPipeline(settings).run(request, Files.createTempDirectory(temp, "work"));
    }

    private static DatasetInput stream(String body) {
        return DatasetInput.ofStream("upload:test", new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                OptionalLong.empty());
    }

    private static PreparedSplit split(PipelineResult result, String name) {
        return result.splits().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static Set<String> set(Path file) throws IOException {
        return new HashSet<>(Files.readAllLines(file));
    }

    private static long charactersOf(int rows) {
        long total = 0;
        for (int i = 0; i < rows; i++) {
            total += ("question " + i + "?").length() + (" answer " + i).length();
        }
        return total;
    }
}
